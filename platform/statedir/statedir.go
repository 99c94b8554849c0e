package statedir

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// LockFile is the owner's lock inside every state directory; it also holds
// the owner's pid and start time (for people reading it, not for sweeping).
const LockFile = ".kiln-owner"

// Dir is a state directory held by this process until Release.
type Dir struct {
	Path string
	lock *os.File
}

// New creates base/prefixXXXX, locked by this process, owned by uid:gid
// (-1 keeps the creator's).
func New(base, prefix string, uid, gid int) (*Dir, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return nil, fmt.Errorf("state directory %s: %w", base, err)
	}
	p, err := os.MkdirTemp(base, prefix)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", base, err)
	}
	d, err := Adopt(p)
	if err != nil {
		os.RemoveAll(p)
		return nil, err
	}
	if uid != -1 || gid != -1 {
		for _, f := range []string{p, filepath.Join(p, LockFile)} {
			if err := os.Lchown(f, uid, gid); err != nil {
				d.Release()
				os.RemoveAll(p)
				return nil, fmt.Errorf("state directory %s: %w", p, err)
			}
		}
	}
	return d, nil
}

// Adopt locks an existing directory as this process's (e.g. kiln run
// --state-dir DIR), creating its lock file.
func Adopt(p string) (*Dir, error) {
	f, err := os.OpenFile(filepath.Join(p, LockFile), os.O_RDWR|os.O_CREATE|syscall.O_CLOEXEC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("state directory %s: %w", p, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("state directory %s is in use by another kiln process (%s): use another --state-dir", p, strings.TrimSpace(readOwner(f.Name())))
	}
	f.Truncate(0)
	fmt.Fprintf(f, "pid %d start %s\n", os.Getpid(), startTime(os.Getpid()))
	return &Dir{Path: p, lock: f}, nil
}

// Release drops the lock (the directory stays; remove it first if you want).
func (d *Dir) Release() {
	if d.lock != nil {
		d.lock.Close()
		d.lock = nil
	}
}

// Sweep removes the entries of base whose names start with one of prefixes
// and whose owner is gone: their lock file can be locked. Entries without a
// lock file are left alone (an owner may be creating one right now). It
// returns what it removed; errors removing are returned together.
func Sweep(base string, prefixes ...string) ([]string, error) {
	ents, err := os.ReadDir(base)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var removed []string
	var errs []error
	for _, e := range ents {
		if !e.IsDir() || !hasPrefix(e.Name(), prefixes) {
			continue
		}
		p := filepath.Join(base, e.Name())
		f, err := os.OpenFile(filepath.Join(p, LockFile), os.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0)
		if err != nil {
			continue
		}
		if syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB) != nil {
			f.Close()
			continue // its owner is alive
		}
		err = os.RemoveAll(p)
		f.Close()
		if err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, p)
	}
	return removed, errors.Join(errs...)
}

func hasPrefix(name string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

func readOwner(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

// startTime is field 22 of /proc/PID/stat (clock ticks after boot).
func startTime(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return "?"
	}
	s := string(b)
	if i := strings.LastIndexByte(s, ')'); i >= 0 {
		if f := strings.Fields(s[i+1:]); len(f) > 19 {
			return f[19]
		}
	}
	return "?"
}
