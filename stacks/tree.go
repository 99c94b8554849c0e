package stacks

import (
	"archive/tar"
	"bytes"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// Epoch is the timestamp of every file and of the image (the CNB lifecycle's
// normalized time), so identical inputs give identical digests.
var Epoch = time.Date(1980, 1, 1, 0, 0, 1, 0, time.UTC)

// excluded paths never make it into a stack image.
var excluded = []string{"usr/share/doc/", "usr/share/man/", "usr/share/info/", "usr/share/lintian/",
	"usr/share/locale/", "usr/share/bug/", "usr/share/doc-base/", "etc/cron.daily/", "etc/logrotate.d/"}

type entry struct {
	hdr  tar.Header
	data []byte
}

// Tree is a file system built up in memory, later written as one layer.
type Tree struct {
	entries map[string]*entry
}

// NewTree returns an empty tree.
func NewTree() *Tree { return &Tree{entries: map[string]*entry{}} }

func clean(name string) string {
	return strings.TrimPrefix(path.Clean("/"+name), "/")
}

// AddTar merges a tar stream; only keeps paths under one of only's prefixes
// when only is non-empty, and drops paths under exclude's.
func (t *Tree) AddTar(r io.Reader, only []string, exclude ...string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		name := clean(h.Name)
		if name == "" || name == "." || !keep(name, h.Typeflag == tar.TypeDir, only) || hasPrefix(name, h.Typeflag == tar.TypeDir, exclude) {
			continue
		}
		var data []byte
		if h.Typeflag == tar.TypeReg {
			if data, err = io.ReadAll(tr); err != nil {
				return err
			}
		}
		if h.Typeflag == tar.TypeLink {
			h.Linkname = clean(h.Linkname)
		}
		t.put(name, *h, data)
	}
}

func hasPrefix(name string, dir bool, prefixes []string) bool {
	if dir {
		name += "/"
	}
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func keep(name string, dir bool, only []string) bool {
	slashed := name
	if dir {
		slashed += "/"
	}
	for _, e := range excluded {
		if strings.HasPrefix(slashed, e) {
			return false
		}
	}
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if strings.HasPrefix(slashed, o) || (dir && strings.HasPrefix(o, slashed)) {
			return true
		}
	}
	return false
}

func (t *Tree) put(name string, h tar.Header, data []byte) {
	h.Name = name
	h.Size = int64(len(data))
	if h.Typeflag == tar.TypeDir {
		if old, ok := t.entries[name]; ok && old.hdr.Typeflag == tar.TypeDir {
			return // first definition of a shared directory wins
		}
	}
	t.entries[name] = &entry{hdr: h, data: data}
}

// File adds a regular file.
func (t *Tree) File(name string, mode int64, uid, gid int, data []byte) {
	t.put(clean(name), tar.Header{Typeflag: tar.TypeReg, Mode: mode, Uid: uid, Gid: gid}, data)
}

// Dir adds a directory.
func (t *Tree) Dir(name string, mode int64, uid, gid int) {
	name = clean(name)
	delete(t.entries, name)
	t.put(name, tar.Header{Typeflag: tar.TypeDir, Mode: mode, Uid: uid, Gid: gid}, nil)
}

// Symlink adds a symbolic link.
func (t *Tree) Symlink(name, target string) {
	t.put(clean(name), tar.Header{Typeflag: tar.TypeSymlink, Linkname: target, Mode: 0o777}, nil)
}

// Read returns a regular file's content.
func (t *Tree) Read(name string) ([]byte, bool) {
	e, ok := t.entries[clean(name)]
	if !ok || e.hdr.Typeflag != tar.TypeReg {
		return nil, false
	}
	return e.data, true
}

// Glob returns the regular files directly under dir whose names end in suffix, sorted.
func (t *Tree) Glob(dir, suffix string) []string {
	dir = clean(dir) + "/"
	var out []string
	for n, e := range t.entries {
		if e.hdr.Typeflag == tar.TypeReg && strings.HasPrefix(n, dir) && strings.HasSuffix(n, suffix) {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}

// Remove deletes every entry at or below name.
func (t *Tree) Remove(name string) {
	name = clean(name)
	for n := range t.entries {
		if n == name || strings.HasPrefix(n, name+"/") {
			delete(t.entries, n)
		}
	}
}

// Tar writes the tree as a reproducible tar: parents before children, sorted,
// every timestamp Epoch, numeric owners only.
func (t *Tree) Tar() ([]byte, error) {
	for n := range t.entries {
		for d := path.Dir(n); d != "." && d != "/"; d = path.Dir(d) {
			if _, ok := t.entries[d]; !ok {
				t.entries[d] = &entry{hdr: tar.Header{Name: d, Typeflag: tar.TypeDir, Mode: 0o755}}
			}
		}
	}
	names := make([]string, 0, len(t.entries))
	for n := range t.entries {
		names = append(names, n)
	}
	sort.Strings(names)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, n := range names {
		e := t.entries[n]
		h := tar.Header{Typeflag: e.hdr.Typeflag, Name: n, Linkname: e.hdr.Linkname, Mode: e.hdr.Mode & 0o7777,
			Uid: e.hdr.Uid, Gid: e.hdr.Gid, Size: int64(len(e.data)), ModTime: Epoch, Format: tar.FormatPAX}
		if h.Typeflag == tar.TypeDir {
			h.Name += "/"
		}
		if h.Typeflag == tar.TypeLink || h.Typeflag == tar.TypeSymlink || h.Typeflag == tar.TypeDir {
			h.Size = 0
		}
		if err := tw.WriteHeader(&h); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		if h.Typeflag == tar.TypeReg {
			if _, err := tw.Write(e.data); err != nil {
				return nil, err
			}
		}
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// Layer is the tree's Tar as an image layer (Docker media type, as every
// layer Kiln writes): a stack, or a one-file layer of a binary or a CA bundle.
func (t *Tree) Layer() (v1.Layer, error) {
	b, err := t.Tar()
	if err != nil {
		return nil, err
	}
	return tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil },
		tarball.WithMediaType(types.DockerLayer))
}
