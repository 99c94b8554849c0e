package stacks

import (
	"archive/tar"
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func debTar(t *testing.T, entries map[string]string) io.Reader {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for name, body := range entries {
		typ := byte(tar.TypeReg)
		if strings.HasSuffix(name, "/") {
			typ = tar.TypeDir
		}
		tw.WriteHeader(&tar.Header{Name: "./" + name, Typeflag: typ, Mode: 0o644, Size: int64(len(body))})
		tw.Write([]byte(body))
	}
	tw.Close()
	return &buf
}

func listing(t *testing.T, b []byte) string {
	var out strings.Builder
	tr := tar.NewReader(bytes.NewReader(b))
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		fmt.Fprintf(&out, "%c %04o %d:%d %s %s", h.Typeflag, h.Mode, h.Uid, h.Gid, h.ModTime.UTC().Format("2006-01-02T15:04:05Z"), h.Name)
		if h.Linkname != "" {
			fmt.Fprintf(&out, " -> %s", h.Linkname)
		}
		out.WriteString("\n")
	}
	return out.String()
}

func TestRunStaticTreeGolden(t *testing.T) {
	s := &Stack{ID: "io.kiln.test", UID: 1000, GID: 1000, Distro: "debian", DistroVersion: "12"}
	build := func() []byte {
		tree := NewTree()
		only := []string{"usr/share/zoneinfo/", "usr/share/ca-certificates/"}
		if err := tree.AddTar(debTar(t, map[string]string{
			"usr/share/zoneinfo/UTC": "TZif", "usr/share/zoneinfo/Europe/Paris": "TZif2",
			"usr/share/doc/tzdata/copyright": "excluded", "usr/sbin/tzconfig": "filtered",
		}), only); err != nil {
			t.Fatal(err)
		}
		if err := tree.AddTar(debTar(t, map[string]string{
			"usr/share/ca-certificates/mozilla/B.crt": "B\n", "usr/share/ca-certificates/mozilla/A.crt": "A\n",
			"usr/sbin/update-ca-certificates": "#!/bin/sh",
		}), only); err != nil {
			t.Fatal(err)
		}
		if err := s.addGenerated(tree, Image{}); err != nil {
			t.Fatal(err)
		}
		b, err := tree.Tar()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	first, second := build(), build()
	if !bytes.Equal(first, second) {
		t.Fatal("two builds of the same tree differ")
	}
	got := listing(t, first)
	path := filepath.Join("testdata", "run-static.listing")
	if *update {
		os.WriteFile(path, []byte(got), 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if got != string(want) {
		t.Fatalf("layer listing differs from %s:\n%s", path, got)
	}
}

func TestExcludeDropsPrefixes(t *testing.T) {
	tree := NewTree()
	if err := tree.AddTar(debTar(t, map[string]string{"usr/lib/x86_64-linux-gnu/gconv/UTF-16.so": "x", "usr/lib/x86_64-linux-gnu/libc.so.6": "y"}),
		nil, "usr/lib/x86_64-linux-gnu/gconv/"); err != nil {
		t.Fatal(err)
	}
	if _, ok := tree.Read("usr/lib/x86_64-linux-gnu/gconv/UTF-16.so"); ok {
		t.Fatal("excluded file kept")
	}
	if _, ok := tree.Read("usr/lib/x86_64-linux-gnu/libc.so.6"); !ok {
		t.Fatal("libc dropped")
	}
}

func TestReadLockErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, LockFile), []byte("libc6 2.36\n"), 0o644)
	if _, err := readLock(filepath.Join(dir, LockFile)); err == nil || !strings.Contains(err.Error(), ":1: want `name version sha256`") {
		t.Fatalf("err = %v", err)
	}
}
