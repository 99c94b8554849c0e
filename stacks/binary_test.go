package stacks

import (
	"archive/tar"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/empty"
)

// TestBinaryImage: the binary is the entrypoint at its path, 0755 and
// root's, in one added layer; labels are added; the same input gives the
// same digest.
func TestBinaryImage(t *testing.T) {
	img, err := BinaryImage(empty.Image, "/usr/local/bin/tool", []byte("ELF"), "test", map[string]string{"k": "v"})
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	if len(cf.Config.Entrypoint) != 1 || cf.Config.Entrypoint[0] != "/usr/local/bin/tool" || cf.Config.Labels["k"] != "v" || !cf.Created.Time.Equal(Epoch) {
		t.Fatalf("config %+v, created %v", cf.Config, cf.Created)
	}
	layers, _ := img.Layers()
	if len(layers) != 1 {
		t.Fatalf("%d layers, want 1", len(layers))
	}
	rc, _ := layers[0].Uncompressed()
	defer rc.Close()
	tr := tar.NewReader(rc)
	found := false
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		if h.Name == "usr/local/bin/tool" {
			found = h.Mode&0o777 == 0o755 && h.Uid == 0 && h.Size == 3
		}
	}
	if !found {
		t.Fatal("usr/local/bin/tool is not in the layer as a 0755 root file of 3 bytes")
	}
	again, _ := BinaryImage(empty.Image, "/usr/local/bin/tool", []byte("ELF"), "test", map[string]string{"k": "v"})
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Fatalf("digests %s and %s for the same input", d1, d2)
	}
}
