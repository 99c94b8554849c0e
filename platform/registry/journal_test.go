package registry

import (
	"errors"
	"net/http"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// restart stops the registry serving dir and serves it again from disk.
func restart(t *testing.T, r *Registry, dir string) *Registry {
	t.Helper()
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	r2, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r2.Close() })
	return r2
}

func mustRef(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// wantStatus asserts err is a registry error with HTTP status code.
func wantStatus(t *testing.T, err error, code int, what string) {
	t.Helper()
	var terr *transport.Error
	if !errors.As(err, &terr) || terr.StatusCode != code {
		t.Fatalf("%s: got %v, want HTTP %d", what, err, code)
	}
}

func TestDeletedTagStaysDeletedAfterRestart(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	img, _ := random.Image(256, 1)
	keep, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref("apps/gone:v1")), img); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustRef(t, r.Ref("apps/gone:v2")), keep); err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(mustRef(t, r.Ref("apps/gone:v1"))); err != nil {
		t.Fatal(err)
	}
	r = restart(t, r, dir)
	_, err = remote.Head(mustRef(t, r.Ref("apps/gone:v1")))
	wantStatus(t, err, http.StatusNotFound, "deleted tag after a restart")
	if _, err := remote.Head(mustRef(t, r.Ref("apps/gone:v2"))); err != nil {
		t.Fatalf("the other tag is gone after a restart: %v", err)
	}
}

func TestFailedManifestPutIsNotJournaled(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	// The index alone: the registry refuses it, its child is not there yet.
	err = remote.Put(mustRef(t, r.Ref("apps/multi:early")), idx)
	wantStatus(t, err, http.StatusNotFound, "index before its child")
	d, _ := child.Digest()
	if err := remote.Write(mustRef(t, r.Ref("apps/multi@"+d.String())), child); err != nil {
		t.Fatal(err)
	}
	r = restart(t, r, dir)
	_, err = remote.Head(mustRef(t, r.Ref("apps/multi:early")))
	wantStatus(t, err, http.StatusNotFound, "a refused index after a restart")
}

func TestIndexSurvivesRestartAfterItsChildren(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	// Tag "a" sorts before the child's "sha256:…" record: replaying in file
	// order would restore the index before its child, and the registry
	// refuses an index whose child it does not have.
	if err := remote.WriteIndex(mustRef(t, r.Ref("apps/multi:a")), idx); err != nil {
		t.Fatal(err)
	}
	want, _ := idx.Digest()
	r = restart(t, r, dir)
	got, err := remote.Index(mustRef(t, r.Ref("apps/multi:a")))
	if err != nil {
		t.Fatalf("index lost across a restart: %v", err)
	}
	if d, _ := got.Digest(); d != want {
		t.Fatalf("index digest %s, want %s", d, want)
	}
	m, _ := got.IndexManifest()
	if _, err := remote.Image(mustRef(t, r.Ref("apps/multi@"+m.Manifests[0].Digest.String()))); err != nil {
		t.Fatalf("child lost across a restart: %v", err)
	}
}

var _ v1.Hash
