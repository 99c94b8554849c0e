package fsutil

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestCopyTreeKeepsModesLinksAndSkipsVCS(t *testing.T) {
	src, dst := t.TempDir(), filepath.Join(t.TempDir(), "ws")
	os.MkdirAll(filepath.Join(src, ".git", "objects"), 0o755)
	os.WriteFile(filepath.Join(src, ".git", "HEAD"), []byte("ref"), 0o644)
	os.MkdirAll(filepath.Join(src, "pkg"), 0o755)
	os.WriteFile(filepath.Join(src, "pkg", "run.sh"), []byte("#!/bin/sh"), 0o755)
	os.WriteFile(filepath.Join(src, "go.mod"), []byte("module a.b/c"), 0o600)
	os.Symlink("pkg/run.sh", filepath.Join(src, "link"))
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := CopyTree(src, dst, 1000, 1000); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, ".git")); !os.IsNotExist(err) {
		t.Fatal(".git was copied into the workspace")
	}
	st, err := os.Stat(filepath.Join(dst, "pkg", "run.sh"))
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("run.sh mode %v, %v", st.Mode(), err)
	}
	if st, _ := os.Stat(filepath.Join(dst, "go.mod")); st.Mode().Perm() != 0o600 {
		t.Fatalf("go.mod mode %v", st.Mode())
	}
	if l, _ := os.Readlink(filepath.Join(dst, "link")); l != "pkg/run.sh" {
		t.Fatalf("symlink %q", l)
	}
	if os.Geteuid() == 0 {
		st, _ := os.Lstat(filepath.Join(dst, "pkg", "run.sh"))
		if sys := st.Sys().(*syscall.Stat_t); sys.Uid != 1000 || sys.Gid != 1000 {
			t.Fatalf("owner %d:%d, want the CNB user 1000:1000", sys.Uid, sys.Gid)
		}
	}
}

func TestMakeReadableSkipsSymlinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("x"), 0o600)
	os.Mkdir(filepath.Join(dir, "blobs"), 0o700)
	os.WriteFile(filepath.Join(dir, "blobs", "b"), []byte("x"), 0o600)
	os.Symlink(outside, filepath.Join(dir, "blobs", "link"))
	if err := MakeReadable(dir); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]os.FileMode{filepath.Join(dir, "blobs"): 0o755, filepath.Join(dir, "blobs", "b"): 0o644, outside: 0o600} {
		st, _ := os.Stat(p)
		if st.Mode().Perm() != want {
			t.Errorf("%s is %v, want %v", p, st.Mode().Perm(), want)
		}
	}
}
