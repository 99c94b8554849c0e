package registry

import (
	"os"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// TestMain lets Open (and the tests of detached servers) start this test
// binary as a registry server.
func TestMain(m *testing.M) {
	ServeIfSpawned()
	os.Exit(m.Run())
}

// serveHere opens dir's registry served by this test process until cleanup.
func serveHere(t *testing.T, dir string) *Registry {
	t.Helper()
	r, err := OpenWith(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func TestTagsSurviveARestartAtTheSameAddress(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	if !r.Serving() {
		t.Fatal("the first open should serve")
	}
	img, _ := random.Image(1024, 2)
	want, _ := img.Digest()
	if err := remote.Write(mustRef(t, r.Ref("apps/hello:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	addr := r.Addr

	// A second handle attaches instead of serving.
	other := serveHere(t, dir)
	if other.Serving() || other.Addr != addr {
		t.Fatalf("second open: serving=%v addr=%s, want to attach to %s", other.Serving(), other.Addr, addr)
	}
	r2 := restart(t, r, dir)
	if r2.Addr != addr {
		t.Fatalf("address moved from %s to %s", addr, r2.Addr)
	}
	got, err := remote.Image(mustRef(t, r2.Ref("apps/hello:v1")))
	if err != nil {
		t.Fatalf("tag lost across restart: %v", err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("digest %s, want %s", d, want)
	}
	if _, err := got.RawConfigFile(); err != nil {
		t.Fatalf("blobs lost: %v", err)
	}
}

func TestRef(t *testing.T) {
	r := &Registry{Addr: "127.0.0.1:5"}
	for in, want := range map[string]string{
		"hello":                "127.0.0.1:5/hello:latest",
		"kiln/builder-go:v1":   "127.0.0.1:5/kiln/builder-go:v1",
		"example.com/x/y:z":    "example.com/x/y:z",
		"localhost:5000/a":     "localhost:5000/a",
		"localhost/a":          "localhost/a",
		"a/b@sha256:" + sixty4: "127.0.0.1:5/a/b@sha256:" + sixty4,
	} {
		if got := r.Ref(in); got != want {
			t.Errorf("Ref(%q) = %q, want %q", in, got, want)
		}
	}
}

const sixty4 = "0000000000000000000000000000000000000000000000000000000000000000"

func TestResolveReadsStorageWithoutServing(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img, _ := random.Image(512, 1)
	if err := remote.Write(mustRef(t, r.Ref("fn:v2")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	r.Close()
	d, cfg, err := Resolve(dir, "fn", "v2")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := img.Digest()
	wantCfg, _ := img.ConfigFile()
	if d != want || cfg.RootFS.DiffIDs[0] != wantCfg.RootFS.DiffIDs[0] {
		t.Fatalf("resolved %s, want %s", d, want)
	}
	if d2, _, err := Resolve(dir, "fn", want.String()); err != nil || d2 != want {
		t.Fatalf("by digest: %s %v", d2, err)
	}
	for _, c := range [][2]string{{"fn", "missing"}, {"..", "v2"}, {"fn/../..", "v2"}, {"fn", "../v2"}, {"FN", "v2"}} {
		if _, _, err := Resolve(dir, c[0], c[1]); err == nil {
			t.Errorf("Resolve(%q, %q): want an error", c[0], c[1])
		}
	}
}
