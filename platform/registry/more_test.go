package registry

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

func TestOpenStartsADetachedServerForTheKilnBinary(t *testing.T) {
	dir := t.TempDir()
	r, err := Open(dir, "") // TestMain called ServeIfSpawned, as kiln's main does
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stopIfServed(t, dir) })
	st, err := r.Status()
	if err != nil || st.PID == os.Getpid() || r.Serving() || st.Addr != r.Addr || st.Dir != dir {
		t.Fatalf("status %+v serving=%v: %v", st, r.Serving(), err)
	}
	if r.Dir() != dir || r.Auth() == nil {
		t.Fatal("Dir or Auth")
	}
	r.Close()
	if addr, ok := Running(dir); !ok || addr != r.Addr {
		t.Fatalf("Running after the client closed: %s %v", addr, ok)
	}
	if _, err := OpenWith(dir, Options{Addr: "127.0.0.1:1"}); err == nil || !strings.Contains(err.Error(), "is served at "+r.Addr) {
		t.Fatalf("asking for another address while served: %v", err)
	}
	same, err := OpenWith(dir, Options{Addr: r.Addr})
	if err != nil || same.Addr != r.Addr {
		t.Fatalf("asking for the served address: %v", err)
	}
	same.Close()
}

func TestReplayMigratesRecoversAndRefusesCorruption(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img := pushed(t, r, "old:v1")
	d, _ := img.Digest()
	child, _ := random.Image(64, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	if err := remote.WriteIndex(mustRef(t, r.Ref("dangling:v1")), idx, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	cd, _ := child.Digest()
	r.Close()
	// A journal from before digests were recorded; an index whose child
	// record was lost.
	os.Remove(filepath.Join(dir, "manifests", "old", d.String()+".json"))
	os.Remove(filepath.Join(dir, "manifests", "dangling", cd.String()+".json"))
	r = serveHere(t, dir)
	if _, err := os.Stat(filepath.Join(dir, "manifests", "old", d.String()+".json")); err != nil {
		t.Fatalf("the digest record was not written back: %v", err)
	}
	if digestAt(t, r, "old@"+d.String()) != d.String() || digestAt(t, r, "old:v1") != d.String() {
		t.Fatal("old:v1 not restored")
	}
	if digestAt(t, r, "dangling:v1") != "" {
		t.Fatal("an index without its child was restored")
	}
	r.Close()
	os.WriteFile(filepath.Join(dir, "manifests", "old", "v1.json"), []byte("{not json"), 0o644)
	if _, err := Handler(dir); err == nil || !strings.Contains(err.Error(), "is corrupt (delete it to drop that tag)") {
		t.Fatalf("a corrupt record: %v", err)
	}
}

func TestBlobDeleteAndKilnEndpoints(t *testing.T) {
	dir := t.TempDir()
	h, err := Handler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	r := &Registry{Addr: strings.TrimPrefix(srv.URL, "http://"), dir: dir}
	auth, _ := Auth(dir)
	r.auth = auth
	l, _ := random.Layer(64, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err := remote.WriteLayer(mustRef(t, r.Ref("x:v1")).Context(), l, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	ld, _ := l.Digest()
	for _, c := range []struct {
		method, path string
		code         int
	}{
		{http.MethodDelete, "/v2/x/blobs/" + ld.String(), http.StatusAccepted},
		{http.MethodHead, "/v2/x/blobs/" + ld.String(), http.StatusNotFound},
		{http.MethodDelete, "/v2/x/blobs/" + ld.String(), http.StatusInternalServerError},
		{http.MethodPost, "/kiln/v1/gc?grace=soon", http.StatusBadRequest},
		{http.MethodPost, "/kiln/v1/gc?grace=-1h", http.StatusBadRequest},
		{http.MethodPost, "/kiln/v1/gc?grace=0s", http.StatusOK},
		{http.MethodGet, "/kiln/v1/nothing", http.StatusNotFound},
		{http.MethodOptions, "/v2/x/manifests/v1", http.StatusMethodNotAllowed},
	} {
		if code, body := rawRequest(t, r, c.method, c.path, true, ""); code != c.code {
			t.Errorf("%s %s: %d %s, want %d", c.method, c.path, code, body, c.code)
		}
	}
	code, body := rawRequest(t, r, http.MethodGet, "/kiln/v1/status", true, "")
	var st Status
	if code != http.StatusOK || json.Unmarshal([]byte(body), &st) != nil || st.PID != os.Getpid() || st.Dir != dir {
		t.Fatalf("status: %d %s", code, body)
	}
}

func TestGCRemovesCrashLeftovers(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	pushed(t, r, "app:v1")
	upload := filepath.Join(dir, "blobs", "upload-123")
	staged := filepath.Join(dir, "manifests", "app", "v1.json.tmp-456")
	fresh := filepath.Join(dir, "blobs", "upload-789")
	for _, p := range []string{upload, staged, fresh} {
		os.WriteFile(p, []byte("x"), 0o644)
	}
	old := time.Now().Add(-2 * time.Hour)
	os.Chtimes(upload, old, old)
	os.Chtimes(staged, old, old)
	if _, err := r.GC(time.Hour); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]bool{upload: false, staged: false, fresh: true, filepath.Join(dir, "manifests", "app", "v1.json"): true} {
		if _, err := os.Stat(p); (err == nil) != want {
			t.Errorf("%s exists = %v, want %v", p, err == nil, want)
		}
	}
}
