package clusteraddons

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/random"
)

func TestDaprdImage(t *testing.T) {
	base, err := random.Image(256, 2)
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "daprd")
	if err := os.WriteFile(bin, []byte("#!fake daprd\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	img, err := DaprdImage(base, bin)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 3 {
		t.Fatalf("layers = %d, %v; want the base's 2 and daprd", len(layers), err)
	}
	rc, err := layers[2].Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(tr)
	if h.Name != "daprd" || h.Mode != 0o755 || h.Uid != 0 || string(body) != "#!fake daprd\n" {
		t.Errorf("layer entry %s mode %o uid %d body %q", h.Name, h.Mode, h.Uid, body)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("more than /daprd in the layer: %v", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cf.Config.Entrypoint, []string{"/daprd"}) {
		t.Errorf("entrypoint = %v", cf.Config.Entrypoint)
	}
	// Reproducible: the same binary on the same base is the same image.
	again, err := DaprdImage(base, bin)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("digests differ: %s, %s", d1, d2)
	}
}

func TestDaprdImageRefuses(t *testing.T) {
	base, _ := random.Image(16, 1)
	dir := t.TempDir()
	if _, err := DaprdImage(base, filepath.Join(dir, "missing")); err == nil {
		t.Error("a missing daprd was accepted")
	}
	if _, err := DaprdImage(base, dir); err == nil {
		t.Error("a directory was accepted as daprd")
	}
}
