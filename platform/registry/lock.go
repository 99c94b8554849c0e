package registry

import (
	"path/filepath"

	"kiln.dev/kiln/platform/fsutil"
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

// flock locks dir/name (fsutil.LockMode, private to the registry's owner:
// another user holding it would keep the registry from being served or
// stopped): exclusive or shared, waiting or not; ok is false when it did
// not wait and found the lock taken.
func flock(dir, name string, exclusive, wait bool) (release func(), ok bool, err error) {
	return fsutil.LockMode(filepath.Join(dir, name), 0o600, exclusive, wait)
}
