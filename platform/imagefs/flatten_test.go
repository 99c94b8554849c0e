package imagefs

import (
	"archive/tar"
	"bytes"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"kiln.dev/kiln/platform/untar"
	"kiln.dev/kiln/platform/untar/untartest"

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

func TestFlattenOwnersAndCache(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("owners are kept only as root")
	}
	img := image(t, []untartest.Entry{{Name: "home/app/", Type: tar.TypeDir, Mode: 0o750, UID: 1000}, {Name: "home/app/run", Body: "x", Mode: 0o755, UID: 1000}})
	ref, _ := name.ParseReference("example.com/owners:v1")
	cache := t.TempDir()
	d, _ := img.Digest()
	cf, _ := img.ConfigFile()
	if _, ok := Cached(ref, d, cf, cache); ok {
		t.Fatal("cached before flattening")
	}
	got, err := Flatten(ref, img, cache)
	if err != nil || got.Cached {
		t.Fatalf("%+v %v", got, err)
	}
	for _, p := range []string{"home/app", "home/app/run"} {
		var st syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(got.Rootfs, p), &st); err != nil || st.Uid != 1000 || st.Gid != 1000 {
			t.Errorf("%s owned by %d:%d (%v), want 1000:1000", p, st.Uid, st.Gid, err)
		}
	}
	if fi, _ := os.Stat(got.Rootfs); fi.Mode().Perm() != 0o755 {
		t.Errorf("rootfs mode %v, want 0755", fi.Mode())
	}
	hit, ok := Cached(ref, d, cf, cache)
	if !ok || hit.Rootfs != got.Rootfs || hit.Digest != d || hit.Config != cf {
		t.Fatalf("Cached after flattening: %+v %v", hit, ok)
	}
}

func TestFlattenLimitsCoverTheWholeImage(t *testing.T) {
	l1 := []untartest.Entry{{Name: "a", Body: strings.Repeat("a", 100)}, {Name: "b/", Type: tar.TypeDir}}
	l2 := []untartest.Entry{{Name: "c", Body: strings.Repeat("c", 60)}, {Name: "d/", Type: tar.TypeDir}}
	img := image(t, l1, l2)
	ref, _ := name.ParseReference("example.com/big:v1")
	for _, c := range []struct {
		lim  untar.Limits
		want string
	}{
		{untar.Limits{TotalSize: 160, Entries: 4, FileSize: 100}, ""},
		{untar.Limits{TotalSize: 159}, "layer 2 of 2 (sha256:"},
		{untar.Limits{TotalSize: 100}, "layer 2 of 2: the layers below used up"},
		{untar.Limits{Entries: 3}, "layer 2 of 2 (sha256:"},
		{untar.Limits{Entries: 2}, "layer 2 of 2: the layers below used up"},
		{untar.Limits{FileSize: 99}, "layer 1 of 2 (sha256:"},
	} {
		_, err := FlattenWith(ref, img, t.TempDir(), Options{Limits: c.lim})
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("limits %+v: %v, want %q", c.lim, err, c.want)
		}
	}
}

func TestPullFromARegistry(t *testing.T) {
	srv := httptest.NewServer(ggcr.New(ggcr.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	img := image(t, []untartest.Entry{{Name: "etc/hello", Body: "hi"}})
	ref, _ := name.ParseReference(host + "/hello:v1")
	if err := remote.Write(ref, img); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	got, err := Pull(host+"/hello:v1", cache)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(filepath.Join(got.Rootfs, "etc/hello")); string(b) != "hi" || got.Cached {
		t.Fatalf("pulled %q cached=%v", b, got.Cached)
	}
	again, err := PullWith(host+"/hello:v1", cache, Options{})
	if err != nil || !again.Cached {
		t.Fatalf("second pull: %+v %v", again, err)
	}
	for _, bad := range []string{"UPPER/case", host + "/missing:v1"} {
		if _, err := Pull(bad, cache); err == nil {
			t.Errorf("Pull(%q): want an error", bad)
		}
	}
}
