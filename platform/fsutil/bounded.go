package fsutil

import (
	"errors"
	"io"
	"os"
)

// ErrTooLarge is what ReadAtMost returns when its input holds more than the
// limit; callers say which file and what to do.
var ErrTooLarge = errors.New("larger than the limit")

// ReadAtMost reads r to its end, but never more than limit+1 bytes: a
// hostile or mistaken input cannot make the caller hold more than limit.
func ReadAtMost(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, ErrTooLarge
	}
	return b, nil
}

// ReadFileAtMost is ReadAtMost of the file at path.
func ReadFileAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadAtMost(f, limit)
}
