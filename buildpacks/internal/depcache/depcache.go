package depcache

import (
	"fmt"
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
// complete already; it returns true when it had to fill.
func Populate(entry string, fill func(dir string) error) (bool, error) {
	if Complete(entry) {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(entry), 0o755); err != nil {
		return false, fmt.Errorf("%s=%s: %w", Env, Dir(), err)
	}
	tmp, err := os.MkdirTemp(filepath.Dir(entry), ".fill-")
	if err != nil {
		return false, err
	}
	defer os.RemoveAll(tmp)
	if err := fill(tmp); err != nil {
		return false, err
	}
	if err := os.WriteFile(filepath.Join(tmp, completeMarker), nil, 0o644); err != nil {
		return false, err
	}
	os.RemoveAll(entry)
	if err := os.Rename(tmp, entry); err != nil {
		if Complete(entry) { // another build won the race
			return false, nil
		}
		return false, err
	}
	return true, nil
}
