package registry

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// age backdates every blob and manifest record in dir by d.
func age(t *testing.T, dir string, d time.Duration) {
	t.Helper()
	when := time.Now().Add(-d)
	for _, pattern := range []string{"blobs/sha256/*", "manifests/*/*.json"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			if err := os.Chtimes(f, when, when); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func blobCount(t *testing.T, dir string) int {
	files, _ := filepath.Glob(filepath.Join(dir, "blobs", "sha256", "*"))
	return len(files)
}

// pullable fails t unless ref's manifest, config and layers can be read.
func pullable(t *testing.T, r *Registry, ref string) {
	t.Helper()
	img, err := remote.Image(mustRef(t, r.Ref(ref)))
	if err != nil {
		t.Fatalf("%s: %v", ref, err)
	}
	if _, err := img.RawConfigFile(); err != nil {
		t.Fatalf("%s config: %v", ref, err)
	}
	layers, _ := img.Layers()
	for _, l := range layers {
		rc, err := l.Compressed()
		if err != nil {
			t.Fatalf("%s layer: %v", ref, err)
		}
		rc.Close()
	}
}

func TestGCRemovesWhatNoTagNeeds(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	old := pushed(t, r, "app:v1")
	pushed(t, r, "app:v1") // the tag moves: old is untagged now
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	if err := remote.WriteIndex(mustRef(t, r.Ref("multi:v1")), idx, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	orphan, _ := random.Layer(128, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err := remote.WriteLayer(mustRef(t, r.Ref("app:v1")).Context(), orphan, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	before := blobCount(t, dir)
	// Blobs and records are readable by anyone who may pull (the token is not).
	for _, pattern := range []string{"blobs/sha256/*", "manifests/*/*.json"} {
		files, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, f := range files {
			if st, _ := os.Stat(f); st.Mode().Perm() != 0o644 {
				t.Errorf("%s mode %v, want 0644", f, st.Mode())
			}
		}
	}
	rep, err := r.GC(time.Hour)
	if err != nil || rep.BlobsRemoved != 0 || rep.ManifestsRemoved != 0 || rep.Blobs != before {
		t.Fatalf("gc of young data: %+v %v, want nothing removed", rep, err)
	}
	age(t, dir, 2*time.Hour)
	rep, err = r.GC(time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Manifests != 3 || rep.ManifestsRemoved != 1 || rep.BlobsRemoved != 3 || rep.BytesFreed <= 0 || rep.Blobs != before-3 || blobCount(t, dir) != before-3 {
		t.Fatalf("gc: %+v (blobs before %d, now %d), want the old image's manifest, config and layer and the orphan layer removed", rep, before, blobCount(t, dir))
	}
	oldD, _ := old.Digest()
	childD, _ := child.Digest()
	for i := 0; i < 2; i++ {
		pullable(t, r, "app:v1")
		pullable(t, r, "multi@"+childD.String())
		if _, err := remote.Index(mustRef(t, r.Ref("multi:v1"))); err != nil {
			t.Fatal(err)
		}
		if got := digestAt(t, r, "app@"+oldD.String()); got != "" {
			t.Fatalf("round %d: the collected manifest is still served", i)
		}
		r = restart(t, r, dir)
	}
}

func TestGCSparesAPushInProgress(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img, _ := random.Image(256, 1)
	layers, _ := img.Layers()
	repo := mustRef(t, r.Ref("late:v1")).Context()
	// A push uploads blobs, then the manifest; gc runs in between.
	for _, l := range layers {
		if err := remote.WriteLayer(repo, l, r.RemoteOptions()...); err != nil {
			t.Fatal(err)
		}
	}
	if rep, err := r.GC(time.Hour); err != nil || rep.BlobsRemoved != 0 {
		t.Fatalf("gc: %+v %v, want the fresh upload kept", rep, err)
	}
	// A blob the push found present (HEAD) is young again: kept.
	age(t, dir, 2*time.Hour)
	ld, _ := layers[0].Digest()
	if _, err := remote.Layer(repo.Digest(ld.String())); err != nil {
		t.Fatal(err)
	}
	if code, _ := rawRequest(t, r, http.MethodHead, "/v2/late/blobs/"+ld.String(), false, ""); code != http.StatusOK {
		t.Fatalf("HEAD: %d", code)
	}
	if rep, err := r.GC(time.Hour); err != nil || rep.BlobsRemoved != 0 {
		t.Fatalf("gc after a HEAD: %+v %v, want the blob kept", rep, err)
	}
	// A push that stalls past the grace period loses its blobs, and its
	// manifest is then refused rather than stored broken.
	age(t, dir, 2*time.Hour)
	if rep, err := r.GC(time.Hour); err != nil || rep.BlobsRemoved != 1 {
		t.Fatalf("gc of a stale upload: %+v %v", rep, err)
	}
	if err := remote.Write(mustRef(t, r.Ref("late:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatalf("a full push after gc: %v", err)
	}
	pullable(t, r, "late:v1")
	raw, _ := img.RawManifest()
	mt, _ := img.MediaType()
	os.Remove(filepath.Join(dir, "blobs", "sha256", ld.Hex))
	if code, body := putManifest(t, r, "late", "v2", raw, string(mt)); code != http.StatusBadRequest {
		t.Fatalf("manifest with a collected blob: %d %s, want 400 MANIFEST_BLOB_UNKNOWN", code, body)
	}
}

func TestDiskUsage(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	img := pushed(t, r, "a:v1")
	if err := remote.Write(mustRef(t, r.Ref("b/c:v1")), img, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	orphan, _ := random.Layer(100, "application/vnd.oci.image.layer.v1.tar+gzip")
	if err := remote.WriteLayer(mustRef(t, r.Ref("a:v1")).Context(), orphan, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	u, err := DiskUsage(dir)
	if err != nil {
		t.Fatal(err)
	}
	m, _ := img.Manifest()
	raw, _ := img.RawManifest()
	osz, _ := orphan.Size()
	imgBytes := m.Config.Size + m.Layers[0].Size
	want := []RepoUsage{{"a", 1, 1, imgBytes + int64(len(raw))}, {"b/c", 1, 1, imgBytes + int64(len(raw))}}
	if len(u.Repos) != 2 || u.Repos[0] != want[0] || u.Repos[1] != want[1] {
		t.Fatalf("repos %+v, want %+v", u.Repos, want)
	}
	if u.Blobs != 3 || u.Bytes != imgBytes+osz || u.Unreferenced != 1 || u.UnreferencedBytes != osz || u.ManifestBytes != 2*int64(len(raw)) {
		t.Fatalf("usage %+v", u)
	}
}

// TestTaggedDigests: what a tag reaches, through an index too; not an image
// whose tag moved on.
func TestTaggedDigests(t *testing.T) {
	dir := t.TempDir()
	r := serveHere(t, dir)
	old := pushed(t, r, "app:v1")
	cur := pushed(t, r, "app:v1")
	child, _ := random.Image(256, 1)
	idx := mutate.AppendManifests(empty.Index, mutate.IndexAddendum{Add: child})
	if err := remote.WriteIndex(mustRef(t, r.Ref("multi:v1")), idx, r.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	got, err := TaggedDigests(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		d    interface{ Digest() (v1.Hash, error) }
		want bool
	}{{"the tagged image", cur, true}, {"the image whose tag moved", old, false}, {"the index's child", child, true}, {"the index", idx, true}} {
		d, _ := tc.d.Digest()
		if got[d.String()] != tc.want {
			t.Errorf("%s (%s): tagged %v, want %v (all: %v)", tc.what, d, got[d.String()], tc.want, got)
		}
	}
}
