//go:build go1.24 && unix

package funcframework

import (
	"context"
	"errors"
	"net"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/dapr"
	"kiln.dev/functions-framework-go/internal/testnet"
)

// TestOutputsNeedDaprd: a function with outputs whose daprd never comes up
// stops with the sidecar error after DAPR_WAIT_TIMEOUT, instead of serving
// events it could not pass on.
func TestOutputsNeedDaprd(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", `{"name":"f","runtime":"Knative","outputs":{"o":{"componentName":"c","componentType":"bindings.kafka"}}}`)
	t.Setenv("DAPR_HOST", "127.0.0.1")
	t.Setenv("DAPR_GRPC_PORT", strconv.Itoa(testnet.RefusingPort(t)))
	t.Setenv("DAPR_WAIT_TIMEOUT", "100ms")
	rt, err := NewOpenRuntime("f", router)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- rt.serve(context.Background(), ln) }()
	if err := await(t, done, "stop for want of daprd"); !errors.Is(err, dapr.ErrSidecarUnreachable) || !strings.Contains(err.Error(), "DAPR_WAIT_TIMEOUT") {
		t.Fatalf("serve: %v, want ErrSidecarUnreachable naming DAPR_WAIT_TIMEOUT", err)
	}
}

// TestListenPort: PORT wins over FUNC_CONTEXT's port; a bad PORT or a taken
// port is an error naming where the port came from.
func TestListenPort(t *testing.T) {
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	rt := &OpenRuntime{}
	t.Setenv("PORT", "0")
	ln, err := rt.listen()
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	t.Setenv("FUNC_CONTEXT", `{"name":"f","runtime":"Knative","port":"`+strconv.Itoa(port)+`"}`)
	if rt, err = NewOpenRuntime("f", router); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PORT", "")
	want := "listening on port " + strconv.Itoa(port) + " (env PORT, else FUNC_CONTEXT port): "
	if _, err := rt.listen(); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("FUNC_CONTEXT's taken port: %v, want %q…", err, want)
	}
	t.Setenv("PORT", "x")
	if _, err := rt.listen(); err == nil || !strings.HasPrefix(err.Error(), `env PORT="x"`) {
		t.Fatalf("bad PORT: %v", err)
	}
}

// TestTuneGC: an OpenFunction raises the GC target only when GOGC is unset.
func TestTuneGC(t *testing.T) {
	orig := debug.SetGCPercent(100)
	defer debug.SetGCPercent(orig)
	t.Setenv("GOGC", "")
	tuneGC()
	if got := debug.SetGCPercent(100); got != DefaultGCPercent {
		t.Fatalf("GOGC unset: GC percent %d, want %d", got, DefaultGCPercent)
	}
	t.Setenv("GOGC", "100")
	tuneGC()
	if got := debug.SetGCPercent(100); got != 100 {
		t.Fatalf("GOGC=100: GC percent %d, want it left alone", got)
	}
}
