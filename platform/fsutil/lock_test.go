package fsutil

import (
	"path/filepath"
	"testing"
)

// TestLock: shared holders coexist, an exclusive one excludes both ways,
// and a release frees the lock.
func TestLock(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.lock")
	must := func(exclusive bool, want bool) func() {
		t.Helper()
		release, ok, err := Lock(p, exclusive, false)
		if err != nil || ok != want {
			t.Fatalf("Lock(exclusive=%v) = %v, %v; want %v", exclusive, ok, err, want)
		}
		return release
	}
	r1 := must(false, true)
	r2 := must(false, true) // shared with shared
	must(true, false)       // exclusive while shared holders remain
	r1()
	r2()
	r3 := must(true, true)
	must(false, false) // shared while held exclusively
	must(true, false)
	r3()
	must(false, true)()
}
