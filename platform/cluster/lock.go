package cluster

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// lockNode takes <state>/lock exclusively: one Up or Down at a time on a
// state dir. The kernel drops it when the holder dies.
func lockNode(l Layout) (unlock func(), err error) {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("cluster: state dir: %w", err)
	}
	f, err := os.OpenFile(l.p("lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("cluster: locking %s: %w", f.Name(), err)
	}
	return func() { f.Close() }, nil
}
