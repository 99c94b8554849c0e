package cachegc

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiln.dev/kiln/platform/fsutil"
)

// LockApp holds the app cache dir (home.Dir.AppCache) of the app built from
// source for one build until release: a second build of the same app waits
// (waiting is called once first), since both would write the same cache and
// dependency layer, and Collect never removes a held cache. It records the
// use (the lock's mtime) and the source directory (the lock's content), so
// Collect can tell a cache whose source is gone.
func LockApp(dir, source string, waiting func()) (release func(), err error) {
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
	if abs, err := filepath.Abs(source); err == nil {
		// Best effort, like the mtime: without it the cache ages out by time only.
		os.WriteFile(dir+".lock", []byte(abs+"\n"), 0o644)
	}
	now := time.Now()
	os.Chtimes(dir+".lock", now, now) // the last use; best effort
	return release, nil
}

// maxSourceRecord bounds what is read of a lock's source record.
const maxSourceRecord = 8 << 10

// orphaned is whether the app cache dir records a source directory that no
// longer exists (a deleted checkout, a temporary directory): no build can
// use that cache again, since the key is the source's absolute path. A
// cache with no record, or one whose source cannot be checked, is not.
func orphaned(dir string) bool {
	b, err := fsutil.ReadFileAtMost(dir+".lock", maxSourceRecord)
	source := strings.TrimSpace(string(b))
	if err != nil || !filepath.IsAbs(source) {
		return false
	}
	_, err = os.Lstat(source)
	return errors.Is(err, fs.ErrNotExist)
}
