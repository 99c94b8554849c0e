package depcache

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Env names the shared cache directory.
const Env = "KILN_DEPENDENCY_CACHE"

// Dir returns the shared cache directory, or "" when the platform has none.
func Dir() string { return os.Getenv(Env) }

// Path is dir joined with elem.
func Path(elem ...string) string {
	return filepath.Join(append([]string{Dir()}, elem...)...)
}

const completeMarker = ".kiln-complete"

// Complete reports whether entry was fully populated.
func Complete(entry string) bool {
	_, err := os.Stat(filepath.Join(entry, completeMarker))
	return err == nil
}

// Populate fills entry with fill (given a temp dir beside it) unless it is
// complete already; it returns true when it had to fill. A complete entry is
// never removed or replaced: when another build completes it first, this
// build's copy is dropped and the other's kept (a build may be reading it).
// Only an entry without its marker (left by an older Kiln or a damaged
// cache) is moved aside and replaced.
func Populate(entry string, fill func(dir string) error) (bool, error) {
	if Complete(entry) {
		return false, nil
	}
	parent := filepath.Dir(entry)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return false, fmt.Errorf("%s=%s: %w", Env, Dir(), err)
	}
	tmp, err := os.MkdirTemp(parent, ".fill-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp) // our staging copy only; gone once renamed
	if err := fill(tmp); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), nil, 0o644); err != nil {
		return false, err
	}
	for attempt := 0; ; attempt++ {
		err := os.Rename(tmp, entry) // fails while entry exists and is not empty
		if err == nil {
			return true, nil
		}
		if Complete(entry) { // another build won the race: keep its entry
			return false, nil
		}
		if attempt == 2 {
			return false, fmt.Errorf("%s: cannot replace an incomplete cache entry: %w (remove it)", entry, err)
		}
		if err := moveAside(entry); err != nil {
			return false, err
		}
	}
}

// moveAside renames an incomplete entry out of the way (one atomic step, so
// no reader ever sees it half deleted) and removes it there.
func moveAside(entry string) error {
	stale, err := os.MkdirTemp(filepath.Dir(entry), ".stale-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(stale)
	if err := os.Rename(entry, filepath.Join(stale, "entry")); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: moving an incomplete cache entry aside: %w (remove it)", entry, err)
	}
	return nil
}
