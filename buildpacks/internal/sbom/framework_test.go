package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

func TestTreeH1IsDirhashAndRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "lib", "compat"), 0o755)
	os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name":"x"}`), 0o644)
	os.WriteFile(filepath.Join(dir, "lib", "compat", "index.js"), []byte("module.exports = {}\n"), 0o644)
	got, err := TreeH1(dir)
	if err != nil {
		t.Fatal(err)
	}
	want, err := dirhash.HashDir(dir, "", dirhash.Hash1)
	if err != nil {
		t.Fatal(err)
	}
	if got != want || !strings.HasPrefix(got, "h1:") {
		t.Fatalf("TreeH1 %s, dirhash.HashDir %s", got, want)
	}
	os.WriteFile(filepath.Join(dir, "lib", "compat", "index.js"), []byte("module.exports = {evil: 1}\n"), 0o644)
	if changed, _ := TreeH1(dir); changed == got {
		t.Fatal("a changed file kept the hash")
	}

	if err := os.Symlink("/etc/passwd", filepath.Join(dir, "lib", "passwd")); err != nil {
		t.Fatal(err)
	}
	if _, err := TreeH1(dir); err == nil || !strings.Contains(err.Error(), "not a regular file") || !strings.Contains(err.Error(), "passwd") {
		t.Fatalf("symlink err = %v", err)
	}
	if _, err := TreeH1(t.TempDir()); err == nil || !strings.Contains(err.Error(), "holds no files") {
		t.Fatalf("empty dir err = %v", err)
	}
}
