package registry

import (
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestTagsSurviveARestartAtTheSameAddress(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(1024, 2)
	want, _ := img.Digest()
	ref, _ := name.ParseReference(r.Ref("apps/hello:v1"))
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	addr := r.Addr

	// A second kiln process attaches instead of serving.
	other, err := Open(dir, "")
	if err != nil || other.Serving() || other.Addr != addr {
		t.Fatalf("second open: serving=%v addr=%s err=%v, want to attach to %s", other.Serving(), other.Addr, err, addr)
	}
	r.Close()

	r2, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if r2.Addr != addr {
		t.Fatalf("address moved from %s to %s", addr, r2.Addr)
	}
	ref2, _ := name.ParseReference(r2.Ref("apps/hello:v1"))
	got, err := remote.Image(ref2)
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
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(512, 1)
	ref, _ := name.ParseReference(r.Ref("fn:v2"))
	if err := remote.Write(ref, img); err != nil {
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
	if _, _, err := Resolve(dir, "fn", "missing"); err == nil {
		t.Fatal("want an error for a missing tag")
	}
}
