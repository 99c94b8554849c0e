package statedir

import (
	"errors"
	"os"
	"path/filepath"

	"kiln.dev/kiln/platform/fsutil"
)

// writersLock is the lock in a cache directory that writers (e.g. kiln
// flattening an image into rootfs/flatten-XXXX) hold shared while they write.
const writersLock = ".kiln-writers"

// Writing marks this process as writing temporary entries into dir until the
// returned release is called.
func Writing(dir string) (release func(), err error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	release, _, err = fsutil.Lock(filepath.Join(dir, writersLock), false, true)
	return release, err
}

// SweepTemporary removes dir's entries starting with prefix when no process
// is Writing into dir: they were left by a writer that died.
func SweepTemporary(dir, prefix string) ([]string, error) {
	release, free, err := fsutil.Lock(filepath.Join(dir, writersLock), true, false)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // no dir yet
	}
	if err != nil || !free {
		return nil, err // !free: someone is writing
	}
	defer release()
	matches, err := filepath.Glob(filepath.Join(dir, globEscape(prefix)+"*"))
	if err != nil {
		return nil, err
	}
	var removed []string
	var errs []error
	for _, m := range matches {
		if err := os.RemoveAll(m); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, m)
	}
	return removed, errors.Join(errs...)
}

func globEscape(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '*' || c == '?' || c == '[' || c == '\\' {
			out = append(out, '\\')
		}
		out = append(out, s[i])
	}
	return string(out)
}
