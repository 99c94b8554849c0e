package lifecycle

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/registry"
)

// exported writes img as the lifecycle does: one layout per image path,
// rewritten on every export (old blobs stay).
func writeExports(t *testing.T, dir string, imgs ...v1.Image) {
	t.Helper()
	for _, img := range imgs {
		p, err := layout.Write(dir, empty.Index)
		if err != nil {
			t.Fatal(err)
		}
		if err := p.AppendImage(img); err != nil {
			t.Fatal(err)
		}
	}
}

func blobCount(t *testing.T, dir string) int {
	ents, err := os.ReadDir(filepath.Join(dir, "blobs", "sha256"))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestCollectGarbageKeepsOnlyTheLastExport(t *testing.T) {
	dir := t.TempDir()
	old, _ := random.Image(100, 2)
	cur, _ := random.Image(100, 3)
	writeExports(t, dir, old, cur)
	if n := blobCount(t, dir); n != 4+5 {
		t.Fatalf("%d blobs before", n)
	}
	if err := collectGarbage(dir); err != nil {
		t.Fatal(err)
	}
	if n := blobCount(t, dir); n != 5 { // manifest, config, 3 layers
		t.Fatalf("%d blobs after, want 5", n)
	}
	d, _ := cur.Digest()
	if got, _, err := layoutImage(dir); err != nil || got != d.String() {
		t.Fatalf("the last export is gone: %s %v", got, err)
	}
}

func TestPublishPushesAndRefusesTamperedLayouts(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	img, _ := random.Image(200, 2)
	want, _ := img.Digest()

	src := t.TempDir()
	writeExports(t, src, img)
	ref := host + "/hello:latest"
	digest, size, err := publish(exported{Dir: src}, ref, "")
	if err != nil || digest != want.String() || size <= 400 {
		t.Fatalf("push: %s %d %v", digest, size, err)
	}
	r, _ := name.ParseReference(ref)
	if got, err := remote.Head(r); err != nil || got.Digest != want {
		t.Fatalf("registry holds %v (%v), want %s", got, err, want)
	}

	out := t.TempDir()
	if _, _, err := publish(exported{Dir: src}, "kiln.local/hello:latest", out); err != nil {
		t.Fatal(err)
	}
	if got, _, err := layoutImage(filepath.Join(out, "kiln.local", "hello", "latest")); err != nil || got != want.String() {
		t.Fatalf("layout copy holds %s (%v)", got, err)
	}

	// A build that swaps a blob for a symlink to a host file is refused.
	m, _ := img.Manifest()
	layer := filepath.Join(src, "blobs", "sha256", m.Layers[0].Digest.Hex)
	os.Remove(layer)
	os.Symlink("/etc/hostname", layer)
	if _, _, err := publish(exported{Dir: src}, ref, ""); err == nil || !strings.Contains(err.Error(), "refusing to read it") {
		t.Fatalf("symlinked blob: %v", err)
	}
	// One that rewrites a blob's content is refused on the way into a layout.
	os.Remove(layer)
	os.WriteFile(layer, []byte("not the layer"), 0o644)
	if _, _, err := publish(exported{Dir: src}, "kiln.local/hello:latest", t.TempDir()); err == nil || !strings.Contains(err.Error(), "refusing it") {
		t.Fatalf("tampered blob: %v", err)
	}
}

func TestRunImageReferenceIsPutBack(t *testing.T) {
	base, _ := random.Image(100, 1)
	label := `{"app":[{"sha":"sha256:aa"}],"runImage":{"topLayer":"sha256:bb","reference":"/layout/127.0.0.1:5000/kiln/stack/run-static/bookworm@sha256:9bff","image":"127.0.0.1:5000/kiln/stack/run-static:bookworm"},"stack":{"runImage":{"image":"127.0.0.1:5000/kiln/stack/run-static:bookworm"}}}`
	cf, _ := base.ConfigFile()
	cf.Config.Labels = map[string]string{lifecycleMetadata: label, "other": "kept"}
	img, _ := mutate.ConfigFile(base, cf)
	fixed, err := withRunImageReference(img, "127.0.0.1:5000/kiln/stack/run-static:bookworm", "sha256:8d48")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := fixed.ConfigFile()
	want := strings.Replace(label, `"/layout/127.0.0.1:5000/kiln/stack/run-static/bookworm@sha256:9bff"`, `"127.0.0.1:5000/kiln/stack/run-static@sha256:8d48"`, 1)
	if got.Config.Labels[lifecycleMetadata] != want || got.Config.Labels["other"] != "kept" {
		t.Fatalf("label\n%s\nwant\n%s", got.Config.Labels[lifecycleMetadata], want)
	}
	m1, _ := img.Manifest()
	m2, _ := fixed.Manifest()
	if len(m1.Layers) != len(m2.Layers) || m1.Layers[0].Digest != m2.Layers[0].Digest {
		t.Fatal("the layers changed")
	}
	// A registry-style reference (or none) is left alone: same image.
	same, _ := withRunImageReference(fixed, "127.0.0.1:5000/kiln/stack/run-static:bookworm", "sha256:ffff")
	d1, _ := fixed.Digest()
	d2, _ := same.Digest()
	if d1 != d2 {
		t.Fatal("a registry reference was rewritten")
	}
}

func TestPublishDropsTheLayoutsManifestAnnotation(t *testing.T) {
	srv := httptest.NewServer(ggcr.New())
	defer srv.Close()
	plain, _ := random.Image(100, 2)
	want, _ := plain.Digest()
	annotated := mutate.Annotations(plain, map[string]string{"org.opencontainers.image.ref.name": "latest"}).(v1.Image)
	if d, _ := annotated.Digest(); d == want {
		t.Fatal("the annotation should change the digest")
	}
	src := t.TempDir()
	writeExports(t, src, annotated)
	got, _, err := publish(exported{Dir: src}, strings.TrimPrefix(srv.URL, "http://")+"/hello:latest", "")
	if err != nil || got != want.String() {
		t.Fatalf("published %s (%v), want the registry export's %s", got, err, want)
	}
}

func TestPublishToTheEmbeddedRegistryNeedsItsToken(t *testing.T) {
	dir := t.TempDir()
	h, err := registry.Handler(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	img, _ := random.Image(100, 1)
	want, _ := img.Digest()
	src := t.TempDir()
	writeExports(t, src, img)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/hello:latest"
	if _, _, err := publish(exported{Dir: src}, ref, ""); err == nil || !strings.Contains(err.Error(), "UNAUTHORIZED") {
		t.Fatalf("push without the token: %v, want UNAUTHORIZED", err)
	}
	auth, err := registry.Auth(dir)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := publish(exported{Dir: src}, ref, "", remote.WithAuth(auth))
	if err != nil || got != want.String() {
		t.Fatalf("push with the token: %s %v, want %s", got, err, want)
	}
}
