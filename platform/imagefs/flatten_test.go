package imagefs

import (
	"archive/tar"
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type file struct {
	name, body, link string
	typ              byte
	mode             int64
	uid              int
}

func layer(t *testing.T, files []file) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f.name, Typeflag: f.typ, Mode: f.mode, Linkname: f.link, Uid: f.uid, Gid: f.uid, Size: int64(len(f.body))}
		if f.typ != tar.TypeReg {
			h.Size = 0
		}
		tw.WriteHeader(h)
		if f.typ == tar.TypeReg {
			tw.Write([]byte(f.body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func TestFlattenAppliesLayersOwnersLinksAndWhiteouts(t *testing.T) {
	l1 := layer(t, []file{
		{name: "tmp/", typ: tar.TypeDir, mode: 0o1777},
		{name: "bin/app", body: "v1", typ: tar.TypeReg, mode: 0o755, uid: 1000},
		{name: "etc/old", body: "x", typ: tar.TypeReg, mode: 0o644},
	})
	l2 := layer(t, []file{
		{name: "bin/app", body: "v2", typ: tar.TypeReg, mode: 0o755, uid: 1000},
		{name: "cnb/process/web", link: "../../bin/app", typ: tar.TypeSymlink, mode: 0o777},
		{name: "bin/hard", link: "bin/app", typ: tar.TypeLink, mode: 0o755},
		{name: "etc/.wh.old", typ: tar.TypeReg, mode: 0o644},
	})
	img := empty.Image
	for _, l := range [][]byte{l1, l2} {
		b := l
		lay, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil })
		if err != nil {
			t.Fatal(err)
		}
		img, _ = mutate.AppendLayers(img, lay)
	}
	ref, _ := name.ParseReference("example.com/x:y")
	cache := t.TempDir()
	got, err := Flatten(ref, img, cache)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(got.Rootfs, "bin", "app")); string(b) != "v2" {
		t.Fatalf("bin/app = %q, want the upper layer's", b)
	}
	if l, _ := os.Readlink(filepath.Join(got.Rootfs, "cnb", "process", "web")); l != "../../bin/app" {
		t.Fatalf("symlink = %q", l)
	}
	if b, _ := os.ReadFile(filepath.Join(got.Rootfs, "bin", "hard")); string(b) != "v2" {
		t.Fatalf("hard link = %q", b)
	}
	if _, err := os.Stat(filepath.Join(got.Rootfs, "etc", "old")); !os.IsNotExist(err) {
		t.Fatal("whiteout not applied")
	}
	st, _ := os.Stat(filepath.Join(got.Rootfs, "tmp"))
	if st.Mode()&os.ModeSticky == 0 || st.Mode().Perm() != 0o777 {
		t.Fatalf("/tmp mode %v, want 1777", st.Mode())
	}
	again, err := Flatten(ref, img, cache)
	if err != nil || !again.Cached || again.Rootfs != got.Rootfs {
		t.Fatalf("second flatten should hit the cache: %+v %v", again, err)
	}
}
