package cluster

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// TestBinaryImage: one layer with the binary at /NAME (mode 0755), that
// path as the entrypoint, linux/amd64, and the same digest twice.
func TestBinaryImage(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "b")
	os.WriteFile(bin, []byte("#!binary"), 0o700)
	img, err := BinaryImage(bin, "pause")
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if len(cf.Config.Entrypoint) != 1 || cf.Config.Entrypoint[0] != "/pause" || cf.OS != "linux" || cf.Architecture != "amd64" {
		t.Errorf("config: entrypoint %q, %s/%s", cf.Config.Entrypoint, cf.OS, cf.Architecture)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers", len(layers))
	}
	rc, _ := layers[0].Uncompressed()
	tr := tar.NewReader(rc)
	h, err := tr.Next()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(tr)
	if h.Name != "pause" || h.Mode != 0o755 || string(b) != "#!binary" {
		t.Errorf("layer entry %q mode %o content %q", h.Name, h.Mode, b)
	}
	if _, err := tr.Next(); err != io.EOF {
		t.Errorf("more than one entry: %v", err)
	}
	img2, _ := BinaryImage(bin, "pause")
	d1, _ := img.Digest()
	d2, _ := img2.Digest()
	if d1 != d2 {
		t.Errorf("digest not reproducible: %s vs %s", d1, d2)
	}
	if _, err := BinaryImage(filepath.Join(t.TempDir(), "missing"), "x"); err == nil {
		t.Error("missing binary accepted")
	}
}
