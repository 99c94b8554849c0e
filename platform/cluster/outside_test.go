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

// TestRemoveCNIResultsOnlyTheNodes: the node's network results and the
// loopback results of the same sandboxes go; another network's stay.
func TestRemoveCNIResultsOnlyTheNodes(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "results")
	os.MkdirAll(dir, 0o700)
	for _, n := range []string{"kiln-abc-eth0", "cni-loopback-abc-lo", "podman-def-eth0", "cni-loopback-def-lo", "kiln-"} {
		os.WriteFile(filepath.Join(dir, n), nil, 0o600)
	}
	removeCNIResults(root)
	for n, want := range map[string]bool{"kiln-abc-eth0": false, "cni-loopback-abc-lo": false, "podman-def-eth0": true, "cni-loopback-def-lo": true, "kiln-": true} {
		_, err := os.Stat(filepath.Join(dir, n))
		if got := err == nil; got != want {
			t.Errorf("%s exists = %v, want %v", n, got, want)
		}
	}
}
