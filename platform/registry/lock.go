package registry

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Two flock(2) files in the registry dir coordinate kiln processes:
//   - serve.lock, held exclusively by the one process serving the dir;
//   - clients.lock, held shared by every process attached to it (a lease):
//     a detached server exits when idle only if it can take it exclusively,
//     and holds it while it shuts down, so a client attaching meanwhile
//     waits and then starts a new server instead of finding a dying one.
//
// flock locks vanish with their process, so a crash leaves nothing stale.
const (
	serveLock   = "serve.lock"
	clientsLock = "clients.lock"
)

// flock opens dir/name and locks it (how: unix.LOCK_SH or LOCK_EX, plus
// LOCK_NB to try); ok is false when LOCK_NB found it taken.
func flock(dir, name string, how int) (f *os.File, ok bool, err error) {
	f, err = os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, false, err
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if errors.Is(err, unix.EWOULDBLOCK) {
		f.Close()
		return nil, false, nil
	}
	if err != nil {
		f.Close()
		return nil, false, err
	}
	return f, true, nil
}
