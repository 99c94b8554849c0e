package registry

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
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
	return serveHere(t, dir)
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
	r := serveHere(t, dir)
	img, _ := random.Image(256, 1)
	keep, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref("apps/gone:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(mustRef(t, r.Ref("apps/gone:v2")), keep, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	if err := remote.Delete(mustRef(t, r.Ref("apps/gone:v1")), r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	r = restart(t, r, dir)
	_, err := remote.Head(mustRef(t, r.Ref("apps/gone:v1")))
	wantStatus(t, err, http.StatusNotFound, "deleted tag after a restart")
	if _, err := remote.Head(mustRef(t, r.Ref("apps/gone:v2"))); err != nil {
		t.Fatalf("the other tag is gone after a restart: %v", err)
	}
}

func TestFailedManifestPutIsNotJournaled(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	// The index alone: the registry refuses it, its child is not there yet.
	err := remote.Put(mustRef(t, r.Ref("apps/multi:early")), idx, r.RemoteOptions()...)
	wantStatus(t, err, http.StatusNotFound, "index before its child")
	d, _ := child.Digest()
	if err := remote.Write(mustRef(t, r.Ref("apps/multi@"+d.String())), child, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	r = restart(t, r, dir)
	_, err = remote.Head(mustRef(t, r.Ref("apps/multi:early")))
	wantStatus(t, err, http.StatusNotFound, "a refused index after a restart")
}

func TestIndexSurvivesRestartAfterItsChildren(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	// Tag "a" sorts before the child's "sha256:…" record: replaying in file
	// order would restore the index before its child, and the registry
	// refuses an index whose child it does not have.
	if err := remote.WriteIndex(mustRef(t, r.Ref("apps/multi:a")), idx, r.RemoteOptions()...); err != nil {
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

// putManifest PUTs img's manifest to repo:ref by hand (no client retries).
func putManifest(t *testing.T, r *Registry, repo, ref string, body []byte, mediaType string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPut, "http://"+r.Addr+"/v2/"+repo+"/manifests/"+ref, bytes.NewReader(body))
	req.Header.Set("Content-Type", mediaType)
	tok, _ := token(r.dir)
	req.SetBasicAuth(tokenUser, tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func pushed(t *testing.T, r *Registry, ref string) v1.Image {
	t.Helper()
	img, _ := random.Image(256, 1)
	if err := remote.Write(mustRef(t, r.Ref(ref)), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	return img
}

func digestAt(t *testing.T, r *Registry, ref string) string {
	t.Helper()
	d, err := remote.Head(mustRef(t, r.Ref(ref)))
	if err != nil {
		return ""
	}
	return d.Digest.String()
}

func TestNo201UntilTheManifestIsOnDisk(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img := pushed(t, r, "other:v1") // its blobs are stored
	raw, _ := img.RawManifest()
	mt, _ := img.MediaType()
	d, _ := img.Digest()

	// The repository's journal folder cannot be made: a file is in the way.
	os.MkdirAll(filepath.Join(dir, "manifests"), 0o755)
	os.WriteFile(filepath.Join(dir, "manifests", "blocked"), nil, 0o644)
	if code, body := putManifest(t, r, "blocked", "v1", raw, string(mt)); code != http.StatusInternalServerError {
		t.Fatalf("PUT with the journal unwritable: %d %s, want 500", code, body)
	}
	if got := digestAt(t, r, "blocked:v1"); got != "" {
		t.Fatalf("blocked:v1 is served (%s) though it was never persisted", got)
	}

	// The digest record's place is taken by a directory: the rename fails
	// after the manifest was accepted in memory; the tag must roll back.
	old := pushed(t, r, "moving:v1")
	oldD, _ := old.Digest()
	os.MkdirAll(filepath.Join(dir, "manifests", "moving", d.String()+".json", "x"), 0o755)
	if code, body := putManifest(t, r, "moving", "v1", raw, string(mt)); code != http.StatusInternalServerError {
		t.Fatalf("PUT with the rename failing: %d %s, want 500", code, body)
	}
	if got := digestAt(t, r, "moving:v1"); got != oldD.String() {
		t.Fatalf("moving:v1 is %s after a failed PUT, want the previous %s", got, oldD)
	}
	if got := digestAt(t, r, "moving@"+d.String()); got != "" {
		t.Fatalf("the refused manifest is still served by digest")
	}
	os.RemoveAll(filepath.Join(dir, "manifests", "moving", d.String()+".json"))
	if code, body := putManifest(t, r, "moving", "v1", raw, string(mt)); code != http.StatusCreated {
		t.Fatalf("PUT once the disk is fine: %d %s", code, body)
	}
	r = restart(t, r, dir)
	if got := digestAt(t, r, "moving:v1"); got != d.String() {
		t.Fatalf("after a restart moving:v1 is %q, want %s", got, d)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "manifests", "*", "*.tmp-*")); len(left) != 0 {
		t.Fatalf("staged records left behind: %v", left)
	}
}

func TestManifestPutsAreChecked(t *testing.T) {
	r := serveHere(t, t.TempDir())
	img := pushed(t, r, "ok:v1")
	raw, _ := img.RawManifest()
	mt, _ := img.MediaType()
	cfg, _ := img.ConfigName()
	missing := bytes.ReplaceAll(raw, []byte(cfg.String()), []byte("sha256:"+sixty4))
	var m map[string]any
	json.Unmarshal(raw, &m)
	m["layers"] = append(m["layers"].([]any), map[string]any{"mediaType": "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
		"size": 1, "digest": "sha256:" + strings.Repeat("1", 64), "urls": []string{"https://example.com/base.tgz"}})
	foreign, _ := json.Marshal(m)
	for what, c := range map[string]struct {
		ref  string
		body []byte
		code int
		want string
	}{
		"digest mismatch":  {"sha256:" + sixty4, raw, 400, "DIGEST_INVALID"},
		"blob not pushed":  {"v2", missing, 400, "MANIFEST_BLOB_UNKNOWN"},
		"not JSON":         {"v2", []byte("not json"), 400, "MANIFEST_INVALID"},
		"over 4 MiB":       {"v2", bytes.Repeat([]byte(" "), maxManifest+1), 413, "MANIFEST_INVALID"},
		"the right digest": {digestOf(raw), raw, 201, ""},
		"a foreign layer":  {"foreign", foreign, 201, ""},
	} {
		code, body := putManifest(t, r, "ok", c.ref, c.body, string(mt))
		if code != c.code || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s, want %d %s", what, code, body, c.code, c.want)
		}
	}
}

func TestDeletingADigestDeletesItsTags(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img := pushed(t, r, "app:v1")
	if err := remote.Tag(mustRef(t, r.Ref("app:v2")).(name.Tag), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	other := pushed(t, r, "app:v3")
	d, _ := img.Digest()
	if err := remote.Delete(mustRef(t, r.Ref("app@"+d.String())), r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		for _, tag := range []string{"app:v1", "app:v2", "app@" + d.String()} {
			if got := digestAt(t, r, tag); got != "" {
				t.Errorf("restart %d: %s still served (%s)", i, tag, got)
			}
		}
		if od, _ := other.Digest(); digestAt(t, r, "app:v3") != od.String() {
			t.Errorf("restart %d: app:v3 lost", i)
		}
		r = restart(t, r, dir)
	}
}

func TestUntaggedManifestsSurviveARestartLikeTheyWereServed(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	first := pushed(t, r, "app:latest")
	pushed(t, r, "app:latest") // the tag moves on
	d, _ := first.Digest()
	if digestAt(t, r, "app@"+d.String()) == "" {
		t.Fatal("the previous manifest is not served by digest")
	}
	r = restart(t, r, dir)
	if digestAt(t, r, "app@"+d.String()) == "" {
		t.Fatal("the previous manifest was served by digest before the restart, not after")
	}
}
