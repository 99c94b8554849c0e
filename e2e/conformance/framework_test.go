package conformance

import (
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
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
		t.Logf("10 concurrent 1 s calls: %s", d)
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
