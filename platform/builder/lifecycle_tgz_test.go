package builder

import (
	"archive/tar"
	"compress/gzip"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestLifecycleTarballHasWhatPackChecks(t *testing.T) {
	tools := t.TempDir()
	for _, b := range []string{"lifecycle", "launcher"} {
		os.WriteFile(filepath.Join(tools, b), []byte(b), 0o755)
	}
	a, b := filepath.Join(t.TempDir(), "a.tgz"), filepath.Join(t.TempDir(), "b.tgz")
	if err := WriteLifecycleTarball(tools, a); err != nil {
		t.Fatal(err)
	}
	WriteLifecycleTarball(tools, b)
	ab, _ := os.ReadFile(a)
	bb, _ := os.ReadFile(b)
	if string(ab) != string(bb) {
		t.Fatal("the tarball is not reproducible")
	}
	f, _ := os.Open(a)
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	var names []string
	for h, err := tr.Next(); err == nil; h, err = tr.Next() {
		names = append(names, h.Name)
	}
	sort.Strings(names)
	for _, want := range []string{"lifecycle.toml", "lifecycle/launcher", "lifecycle/detector", "lifecycle/analyzer", "lifecycle/restorer", "lifecycle/builder", "lifecycle/exporter", "lifecycle/creator"} {
		if !strings.Contains(strings.Join(names, " "), want) {
			t.Errorf("tarball lacks %s (has %v)", want, names)
		}
	}
	if err := WriteLifecycleTarball(t.TempDir(), a); err == nil || !strings.Contains(err.Error(), "make tools") {
		t.Fatalf("missing tools err = %v", err)
	}
}
