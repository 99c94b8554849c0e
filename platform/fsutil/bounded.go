package fsutil

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
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

// ErrNotRegular is what ReadFileAtMost returns for a path that is not a
// regular file (a FIFO would block the reader forever, a device never end).
var ErrNotRegular = errors.New("not a regular file")

// ReadFileAtMost is ReadAtMost of the regular file at path (a symlink to
// one is followed). It opens without blocking, so a FIFO planted under the
// name is refused instead of hanging the caller.
func ReadFileAtMost(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, st.Mode().Type())
	}
	return ReadAtMost(f, limit)
}
