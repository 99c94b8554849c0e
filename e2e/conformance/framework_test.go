package conformance

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	conformancefn "kiln.dev/conformance-functions"
	"kiln.dev/functions-framework-go/funcframework"
)

// serve runs h in-process with the working directory set to a temp dir, as
// the function's output file is relative to it.
func serve(t *testing.T, h http.Handler) Target {
	t.Helper()
	dir := t.TempDir()
	old, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chdir(old) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { funcframework.ServeListener(ctx, ln, h); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return Target{URL: "http://" + ln.Addr().String(), OutputFile: filepath.Join(dir, conformancefn.OutputFile)}
}

func TestFrameworkHTTP(t *testing.T) {
	tgt := serve(t, funcframework.HTTPHandler(conformancefn.HTTP))
	if err := HTTP(tgt); err != nil {
		t.Fatal(err)
	}
	if d, err := Concurrency(tgt); err != nil {
		t.Fatal(err)
	} else {
		t.Logf("%d calls inside the function at once, all answered in %s", Parties, d)
	}
}

func TestFrameworkCloudEvents(t *testing.T) {
	if err := CloudEvents(serve(t, funcframework.CloudEventHandler(conformancefn.CloudEvent))); err != nil {
		t.Fatal(err)
	}
}

// The harness must be able to fail: a function that drops the body fails HTTP.
func TestHarnessCatchesABrokenFunction(t *testing.T) {
	tgt := serve(t, funcframework.HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		os.WriteFile(conformancefn.OutputFile, []byte(`{"res":"FAIL"}`), 0o644)
	}))
	if err := HTTP(tgt); err == nil {
		t.Fatal("HTTP() passed a function that changed the body")
	}
}

// Concurrency must be able to fail: the fixture of a server that runs one
// call at a time answers, after its 30 s wait, that 1 call arrived.
func TestHarnessCatchesASerialServer(t *testing.T) {
	tgt := serve(t, funcframework.HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "1")
	}))
	if _, err := Concurrency(tgt); err == nil || !strings.Contains(err.Error(), "does not run 10 calls in parallel") {
		t.Fatalf("Concurrency() = %v, want it to fail for a serial server", err)
	}
}
