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

// Another build completes the entry while this one fills: its entry must
// stay (it may be in use), this build's copy is dropped.
func TestPopulateKeepsAnEntryAnotherBuildCompleted(t *testing.T) {
	t.Setenv(Env, t.TempDir())
	entry := Path("go", "1.27.4")
	other := func(dir string) error {
		return os.WriteFile(filepath.Join(dir, "VERSION"), []byte("other"), 0o644)
	}
	filled, err := Populate(entry, func(dir string) error {
		if _, err := Populate(entry, other); err != nil { // the other build, finishing first
			return err
		}
		return os.WriteFile(filepath.Join(dir, "VERSION"), []byte("mine"), 0o644)
	})
	if err != nil || filled {
		t.Fatalf("filled=%v err=%v; want the other build's entry kept", filled, err)
	}
	if b, _ := os.ReadFile(filepath.Join(entry, "VERSION")); string(b) != "other" {
		t.Fatalf("entry holds %q; the other build's complete entry was replaced", b)
	}
	assertNoStaging(t, filepath.Dir(entry))
}

// An entry without the marker (an older Kiln's, or damaged) is replaced.
func TestPopulateReplacesAnIncompleteEntry(t *testing.T) {
	t.Setenv(Env, t.TempDir())
	entry := Path("go", "1.27.4")
	if err := os.MkdirAll(filepath.Join(entry, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	filled, err := Populate(entry, func(dir string) error {
		return os.WriteFile(filepath.Join(dir, "VERSION"), []byte("fresh"), 0o644)
	})
	if err != nil || !filled || !Complete(entry) {
		t.Fatalf("filled=%v err=%v complete=%v", filled, err, Complete(entry))
	}
	if _, err := os.Stat(filepath.Join(entry, "bin")); err == nil {
		t.Fatal("the incomplete entry's files are still there")
	}
	assertNoStaging(t, filepath.Dir(entry))
}

// Builds racing on one entry all succeed and agree on one complete entry.
func TestPopulateConcurrently(t *testing.T) {
	t.Setenv(Env, t.TempDir())
	entry := Path("go", "1.27.4")
	errs := make(chan error, 8)
	for i := 0; i < 8; i++ {
		go func() {
			_, err := Populate(entry, func(dir string) error {
				return os.WriteFile(filepath.Join(dir, "VERSION"), []byte("go"), 0o644)
			})
			errs <- err
		}()
	}
	for i := 0; i < 8; i++ {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if !Complete(entry) {
		t.Fatal("no complete entry")
	}
	assertNoStaging(t, filepath.Dir(entry))
}

func assertNoStaging(t *testing.T, parent string) {
	t.Helper()
	left, _ := os.ReadDir(parent)
	for _, e := range left {
		if e.Name() != "1.27.4" {
			t.Errorf("left behind %s", e.Name())
		}
	}
}
