package cachegc

import (
	"os"
	"time"

	"kiln.dev/kiln/platform/fsutil"
)

// LockApp holds the app cache dir (home.Dir.AppCache) for one build until
// release: a second build of the same app waits (waiting is called once
// first), since both would write the same cache and dependency layer, and
// Collect never removes a held cache. It records the use.
func LockApp(dir string, waiting func()) (release func(), err error) {
	release, ok, err := fsutil.Lock(dir+".lock", true, false)
	if err != nil {
		return nil, err
	}
	if !ok {
		if waiting != nil {
			waiting()
		}
		if release, _, err = fsutil.Lock(dir+".lock", true, true); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	os.Chtimes(dir+".lock", now, now) // the last use; best effort
	return release, nil
}
