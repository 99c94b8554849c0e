package cluster

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Down with no state recorded by Up changes nothing on the host: its
// footprint-based cleanup (/kubepods, KUBE-* chains) would otherwise hit
// another Kubernetes on the same machine. A marker file in the state dir
// shows it did not even clear the state dir.
func TestDownWithoutStateIsANoOp(t *testing.T) {
	dir := t.TempDir()
	marker := filepath.Join(dir, "etcd", "keep")
	if err := os.MkdirAll(filepath.Dir(marker), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(marker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := Down(Options{Layout: Layout{Dir: dir, Tools: t.TempDir()}, Out: &out}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "nothing to undo") || strings.Contains(out.String(), "kubepods") {
		t.Fatalf("down printed:\n%s", out.String())
	}
	if _, err := os.Stat(marker); err != nil {
		t.Fatalf("down without state cleared the state dir: %v", err)
	}
}
