package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestPruneEmptyDirsKeepsFiles(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{"a/b/c", "a/keep", "e"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "a", "keep", "f"), []byte("x"), 0o644)
	pruneEmptyDirs(root)
	for p, want := range map[string]bool{"a/b": false, "e": false, "a/keep/f": true, "a": true} {
		_, err := os.Stat(filepath.Join(root, p))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", p, got, want)
		}
	}
}
