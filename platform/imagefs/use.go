package imagefs

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiln.dev/kiln/platform/fsutil"
)

// A flattened rootfs in the cache is <cacheDir>/<algorithm>-<hex>, complete
// once <rootfs>.complete exists. <rootfs>.lock says who uses it: a build or
// run holds it shared for as long as its container runs (Use), and its
// modification time is the last use; kiln cache gc removes a rootfs only
// while holding it exclusively (Remove), so never one in use.

// ErrRemoved is Use's answer for a rootfs that kiln cache gc removed after
// it was found and before it was locked: pull or flatten it again.
var ErrRemoved = errors.New("the cached rootfs was just removed by kiln cache gc")

// Use marks rootfs as in use until release is called, and records the use.
func Use(rootfs string) (release func(), err error) {
	release, _, err = fsutil.Lock(rootfs+".lock", false, true)
	if err != nil {
		return nil, fmt.Errorf("marking %s in use: %w", rootfs, err)
	}
	if _, err := os.Stat(rootfs + ".complete"); err != nil {
		release()
		return nil, fmt.Errorf("%s: %w", rootfs, ErrRemoved)
	}
	now := time.Now()
	os.Chtimes(rootfs+".lock", now, now) // the last use; best effort
	return release, nil
}

// Entry is one complete rootfs in the cache.
type Entry struct {
	// Digest is the image manifest's ("sha256:…").
	Digest string
	Path   string
	// LastUsed is the last Use, else when it was flattened.
	LastUsed time.Time
}

// Entries lists the complete rootfs in cacheDir (not half-flattened ones:
// statedir sweeps those).
func Entries(cacheDir string) ([]Entry, error) {
	markers, err := filepath.Glob(filepath.Join(cacheDir, "*.complete"))
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, m := range markers {
		p := strings.TrimSuffix(m, ".complete")
		alg, hex, ok := strings.Cut(filepath.Base(p), "-")
		if !ok || alg != "sha256" || len(hex) != 64 {
			continue
		}
		fi, err := os.Lstat(m)
		if err != nil {
			continue
		}
		e := Entry{Digest: alg + ":" + hex, Path: p, LastUsed: fi.ModTime()}
		if li, err := os.Lstat(p + ".lock"); err == nil && li.ModTime().After(e.LastUsed) {
			e.LastUsed = li.ModTime()
		}
		out = append(out, e)
	}
	return out, nil
}

// Remove deletes e's rootfs unless a build or run uses it (then removed is
// false). Its completion marker goes first, so a half-removed rootfs is
// never taken for a complete one.
func Remove(e Entry) (removed bool, err error) {
	release, free, err := fsutil.Lock(e.Path+".lock", true, false)
	if err != nil || !free {
		return false, err
	}
	defer release()
	if err := os.Remove(e.Path + ".complete"); err != nil && !os.IsNotExist(err) {
		return false, err
	}
	if err := os.RemoveAll(e.Path); err != nil {
		return false, fmt.Errorf("removing %s: %w", e.Path, err)
	}
	os.Remove(e.Path + ".lock")
	return true, nil
}
