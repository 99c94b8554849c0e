package depcache

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPopulateOnceThenReuse(t *testing.T) {
	t.Setenv(Env, t.TempDir())
	entry := Path("go", "1.26.8")
	calls := 0
	fill := func(dir string) error {
		calls++
		return os.WriteFile(filepath.Join(dir, "VERSION"), []byte("go1.26.8"), 0o644)
	}
	if filled, err := Populate(entry, fill); err != nil || !filled {
		t.Fatalf("first: filled=%v err=%v", filled, err)
	}
	if filled, err := Populate(entry, fill); err != nil || filled || calls != 1 {
		t.Fatalf("second: filled=%v err=%v calls=%d", filled, err, calls)
	}
	if b, _ := os.ReadFile(filepath.Join(entry, "VERSION")); string(b) != "go1.26.8" {
		t.Fatalf("content %q", b)
	}
}

func TestFailedFillLeavesNothing(t *testing.T) {
	t.Setenv(Env, t.TempDir())
	entry := Path("go", "x")
	if _, err := Populate(entry, func(string) error { return errors.New("download failed") }); err == nil {
		t.Fatal("want the fill error")
	}
	if Complete(entry) {
		t.Fatal("a failed fill must not look complete")
	}
	left, _ := os.ReadDir(filepath.Dir(entry))
	if len(left) != 0 {
		t.Fatalf("left behind %v", left)
	}
}
