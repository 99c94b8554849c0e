package fsutil

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// CopyTreeExcept leaves out what skip names, and does not enter a skipped
// directory.
func TestCopyTreeExcept(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, f := range []string{"main.go", "README.md", "docs/a.md", "node_modules/x/i.js", "src/keep.go"} {
		os.MkdirAll(filepath.Join(src, filepath.Dir(f)), 0o755)
		os.WriteFile(filepath.Join(src, f), nil, 0o644)
	}
	var asked []string
	skip := func(rel string, dir bool) bool {
		asked = append(asked, rel)
		return rel == "README.md" || (dir && (rel == "docs" || rel == "node_modules"))
	}
	if err := CopyTreeExcept(src, dst, os.Getuid(), os.Getgid(), skip); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(dst, func(p string, d os.DirEntry, err error) error {
		if rel, _ := filepath.Rel(dst, p); !d.IsDir() {
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	if strings.Join(got, " ") != "main.go src/keep.go" {
		t.Errorf("copied %q, want main.go src/keep.go", got)
	}
	for _, a := range asked {
		if strings.HasPrefix(a, "node_modules/") || strings.HasPrefix(a, "docs/") {
			t.Errorf("entered a skipped directory: asked about %s", a)
		}
	}
}
