package imagefs

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"kiln.dev/kiln/platform/untar/untartest"
)

func TestBreakouts(t *testing.T) {
	for _, c := range untartest.Breakouts() {
		t.Run(c.Name, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			c := c.Bind(s, "")
			err := Untar(bytes.NewReader(untartest.Tar(t, c.Entries)), s.Root)
			c.Check(t, s, err)
		})
	}
}

func TestWhiteoutsStayInTheRoot(t *testing.T) {
	for name, entries := range map[string][]untartest.Entry{
		"whiteout through a symlinked parent": {{Name: "evil", Type: tar.TypeSymlink, Link: untartest.Host}, {Name: "evil/.wh.secret"}},
		"opaque dir through a symlink":        {{Name: "evil", Type: tar.TypeSymlink, Link: untartest.Host}, {Name: "evil/.wh..wh..opq"}},
		"whiteout of a symlink to a host dir": {{Name: "evil", Type: tar.TypeSymlink, Link: untartest.Host}, {Name: ".wh.evil"}},
	} {
		t.Run(name, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			c := untartest.Case{Entries: entries}.Bind(s, "")
			err := Untar(bytes.NewReader(untartest.Tar(t, c.Entries)), s.Root)
			c.Check(t, s, err)
		})
	}
}

// image builds an image from layers, each a list of tar entries.
func image(t *testing.T, layers ...[]untartest.Entry) v1.Image {
	t.Helper()
	img := empty.Image
	for _, entries := range layers {
		b := untartest.Tar(t, entries)
		lay, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		if img, err = mutate.AppendLayers(img, lay); err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// TestFlattenBreakouts goes through Flatten, the way kiln run and kiln build
// reach the extractor: whole images, several layers.
func TestFlattenBreakouts(t *testing.T) {
	evil := untartest.Entry{Name: "evil", Type: tar.TypeSymlink, Link: untartest.Host}
	pwned := untartest.Entry{Name: "evil/pwned", Body: "pwned"}
	stolen := untartest.Entry{Name: "stolen", Type: tar.TypeLink, Link: "evil/secret", UID: 4242}
	for _, c := range []struct {
		what    string
		layers  [][]untartest.Entry
		refused bool
	}{
		{"hardlink through a symlink, one layer", [][]untartest.Entry{{evil, stolen}}, true},
		{"symlink and a file beneath it, one layer", [][]untartest.Entry{{evil, pwned}}, false},
		{"symlink in one layer, a file beneath it in the next", [][]untartest.Entry{{evil}, {pwned}}, false},
	} {
		t.Run(c.what, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			var bound [][]untartest.Entry
			for _, l := range c.layers {
				bound = append(bound, untartest.Case{Entries: l}.Bind(s, "").Entries)
			}
			ref, _ := name.ParseReference("example.com/evil:latest")
			got, err := Flatten(ref, image(t, bound...), s.Root)
			s.Verify(t)
			if c.refused {
				if err == nil {
					t.Fatal("flatten succeeded, want it refused")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := filepath.Join(got.Rootfs, s.Host, "pwned")
			if b, err := os.ReadFile(want); err != nil || string(b) != "pwned" {
				t.Fatalf("evil/pwned should land at %s inside the rootfs: %q %v", want, b, err)
			}
		})
	}
}
