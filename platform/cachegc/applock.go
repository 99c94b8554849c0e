package cachegc

import (
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

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
	recordSource(dir+".lock", source) // best effort, like the mtime: without it the cache ages out by time only
	now := time.Now()
	os.Chtimes(dir+".lock", now, now) // the last use; best effort
	return release, nil
}

// maxSourceRecord bounds what is read of a lock's source record.
const maxSourceRecord = 8 << 10

// sourceRecord is what LockApp keeps in an app cache's lock file: the
// source directory and the device (st_dev) it was on.
type sourceRecord struct {
	Source string `json:"source"`
	Dev    uint64 `json:"dev"`
}

// recordSource writes source's record into the lock file (never through a
// symlink).
func recordSource(lock, source string) {
	abs, err := filepath.Abs(source)
	if err != nil {
		return
	}
	var st unix.Stat_t
	if unix.Stat(abs, &st) != nil {
		return
	}
	b, _ := json.Marshal(sourceRecord{Source: abs, Dev: uint64(st.Dev)})
	f, err := os.OpenFile(lock, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	f.Write(append(b, '\n'))
	f.Close()
}

// orphaned is whether the app cache dir records a source directory that no
// longer exists (a deleted checkout, a temporary directory): no build can
// use that cache again, since the key is the source's absolute path. A
// cache with no record, or whose source cannot be checked, is not; nor is
// one whose source's nearest existing parent is on another device than the
// source was (a volume not mounted now, a path of another mount namespace).
func orphaned(dir string) bool {
	b, err := fsutil.ReadFileAtMost(dir+".lock", maxSourceRecord)
	var rec sourceRecord
	if err != nil || json.Unmarshal(b, &rec) != nil || !filepath.IsAbs(rec.Source) {
		return false
	}
	if _, err := os.Lstat(rec.Source); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	for p := filepath.Dir(rec.Source); ; p = filepath.Dir(p) {
		var st unix.Stat_t
		err := unix.Stat(p, &st)
		if err == nil {
			return uint64(st.Dev) == rec.Dev
		}
		if !errors.Is(err, unix.ENOENT) || p == "/" {
			return false
		}
	}
}
