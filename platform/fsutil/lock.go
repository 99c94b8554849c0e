package fsutil

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// Lock opens the lock file at path (creating it, never through a symlink)
// and takes an flock(2) on it, exclusive or shared. With wait false it does
// not block: acquired is false, with no error, when another holder has a
// conflicting lock. release closes the file, which drops the lock; the
// kernel drops it too when the holder dies, so a crash leaves no stale lock.
// The file is opened read-only: a lock in a directory the caller may write
// but does not own still works. A new file is made readable by all (0644):
// another id (the sandbox helper's) may need to lock it; LockMode makes
// private ones.
func Lock(path string, exclusive, wait bool) (release func(), acquired bool, err error) {
	return LockMode(path, 0o644, exclusive, wait)
}

// LockMode is Lock creating a missing lock file with perm: 0600 keeps other
// users from opening it, so they cannot hold the lock and block its owner.
func LockMode(path string, perm os.FileMode, exclusive, wait bool) (release func(), acquired bool, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, perm)
	if err != nil {
		return nil, false, fmt.Errorf("opening the lock %s: %w", path, err)
	}
	how := syscall.LOCK_SH
	if exclusive {
		how = syscall.LOCK_EX
	}
	if !wait {
		how |= syscall.LOCK_NB
	}
	err = syscall.Flock(int(f.Fd()), how)
	for errors.Is(err, syscall.EINTR) { // a signal while waiting
		err = syscall.Flock(int(f.Fd()), how)
	}
	if err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("locking %s: %w", path, err)
	}
	return func() { f.Close() }, true, nil
}
