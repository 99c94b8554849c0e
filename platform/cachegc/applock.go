package cachegc

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// LockApp holds the app cache dir (home.Dir.AppCache) for one build until
// release: a second build of the same app waits (waiting is called once
// first), since both would write the same cache and dependency layer, and
// Collect never removes a held cache. It records the use.
func LockApp(dir string, waiting func()) (release func(), err error) {
	f, err := os.OpenFile(dir+".lock", os.O_RDONLY|os.O_CREATE|syscall.O_CLOEXEC|syscall.O_NOFOLLOW, 0o644)
	if err != nil {
		return nil, fmt.Errorf("the build lock of %s: %w", dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if waiting != nil {
			waiting()
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			return nil, fmt.Errorf("waiting for the build lock of %s: %w", dir, err)
		}
	}
	now := time.Now()
	os.Chtimes(f.Name(), now, now) // the last use; best effort
	return func() { f.Close() }, nil
}
