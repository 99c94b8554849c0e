package cachegc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/sandbox"
)

// DefaultUntaggedGrace is how long the rootfs of an image no tag names is
// kept after its last use, unless Options.UntaggedGrace says otherwise.
const DefaultUntaggedGrace = 10 * time.Minute

// DefaultOrphanGrace is how long the cache of an app whose source
// directory is gone is kept after its last build, unless
// Options.OrphanGrace says otherwise.
const DefaultOrphanGrace = 10 * time.Minute

// Options are one collection's.
type Options struct {
	Home home.Dir
	// UnusedFor: what no build or run used for this long goes.
	UnusedFor time.Duration
	// UntaggedGrace: the rootfs of an image no tag of the embedded registry
	// reaches goes once unused for this long (nil: DefaultUntaggedGrace).
	UntaggedGrace *time.Duration
	// OrphanGrace: the cache of an app whose source directory no longer
	// exists goes once unused for this long (nil: DefaultOrphanGrace).
	OrphanGrace *time.Duration
	// DryRun reports what would go and removes nothing.
	DryRun bool
	// Stderr gets the helper's own output.
	Stderr io.Writer
}

// Report is what a collection found and did.
type Report struct {
	Rootfs Tally `json:"rootfs"`
	Apps   Tally `json:"apps"`
	// Removed are the paths removed (with DryRun: that would be).
	Removed []string `json:"removed,omitempty"`
}

// Tally counts one kind of entry.
type Tally struct {
	Kept       int   `json:"kept"`
	InUse      int   `json:"inUse"`
	Removed    int   `json:"removed"`
	BytesFreed int64 `json:"bytesFreed"`
	// Orphaned counts, of Removed, the app caches that went because their
	// source directory is gone (sooner than UnusedFor).
	Orphaned int `json:"orphaned,omitempty"`
}

// request is the job's input.
type request struct {
	Store     string          `json:"store"`
	Tagged    map[string]bool `json:"tagged"`
	UnusedFor time.Duration   `json:"unusedFor"`
	Untagged  time.Duration   `json:"untagged"`
	// Orphans are the app caches (by name) whose source is gone: checked
	// here, where the source paths mean something, not in the helper.
	Orphans     map[string]bool `json:"orphans"`
	OrphanGrace time.Duration   `json:"orphanGrace"`
	DryRun      bool            `json:"dryRun"`
	Now         time.Time       `json:"now"`
}

const (
	jobName     = "cache-gc"
	eventReport = "report"
)

func init() { sandbox.Register(jobName, job) }

// Collect removes what opts says may go from the store of the current id
// mapping and reports it.
func Collect(ctx context.Context, opts Options) (Report, error) {
	ids, err := sandbox.CurrentIDMap()
	if err != nil {
		return Report{}, err
	}
	store := opts.Home.IDStore(ids.Key())
	if _, err := os.Stat(string(store)); errors.Is(err, fs.ErrNotExist) {
		return Report{}, nil // nothing built or run yet
	}
	tagged, err := registry.TaggedDigests(opts.Home.Registry())
	if err != nil {
		return Report{}, fmt.Errorf("reading the embedded registry's tags (%s): %w", opts.Home.Registry(), err)
	}
	req := request{Store: string(store), Tagged: tagged, UnusedFor: opts.UnusedFor, Untagged: DefaultUntaggedGrace, DryRun: opts.DryRun, Now: time.Now()}
	if opts.UntaggedGrace != nil {
		req.Untagged = *opts.UntaggedGrace
	}
	req.OrphanGrace = DefaultOrphanGrace
	if opts.OrphanGrace != nil {
		req.OrphanGrace = *opts.OrphanGrace
	}
	if req.Orphans, err = orphans(filepath.Join(string(store), "apps")); err != nil {
		return Report{}, err
	}
	var rep Report
	var got bool
	h, err := sandbox.Enter(sandbox.Options{Job: jobName, Request: req, IDs: ids, Paths: []string{string(store)},
		Stdout: opts.Stderr, Stderr: opts.Stderr,
		OnEvent: func(e sandbox.Event) {
			if e.Kind == eventReport {
				got = e.Decode(&rep) == nil
			}
		}})
	if err != nil {
		return Report{}, err
	}
	select {
	case <-ctx.Done():
		h.Stop(5 * time.Second)
	case <-h.Done():
	}
	code, err := h.Wait()
	if err != nil {
		return rep, err
	}
	if code != 0 || !got {
		return rep, fmt.Errorf("kiln cache gc: the sandbox helper exited with code %d before reporting (its output is above)", code)
	}
	return rep, nil
}

// job runs in the helper.
func job(_ context.Context, in *sandbox.Inside) (int, error) {
	var req request
	if err := in.Decode(&req); err != nil {
		return 125, err
	}
	rep, err := collect(req)
	if err != nil {
		return 1, err
	}
	if err := in.Send(eventReport, rep); err != nil {
		return 1, err
	}
	return 0, nil
}

// collect is the policy over one store.
func collect(req request) (Report, error) {
	var rep Report
	store := home.Dir(req.Store)
	entries, err := imagefs.Entries(store.Rootfs())
	if err != nil {
		return rep, err
	}
	for _, e := range entries {
		idle := req.Now.Sub(e.LastUsed)
		if idle < req.UnusedFor && (req.Tagged[e.Digest] || idle < req.Untagged) {
			rep.Rootfs.Kept++
			continue
		}
		size := du(e.Path)
		removed, err := removeRootfs(e, req.DryRun)
		if err != nil {
			return rep, err
		}
		if !removed {
			rep.Rootfs.InUse++
			continue
		}
		rep.Rootfs.Removed++
		rep.Rootfs.BytesFreed += size
		rep.Removed = append(rep.Removed, e.Path)
	}
	apps, err := os.ReadDir(filepath.Join(req.Store, "apps"))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return rep, err
	}
	for _, a := range apps {
		if !a.IsDir() {
			continue
		}
		dir := filepath.Join(req.Store, "apps", a.Name())
		idle := req.Now.Sub(appLastUsed(dir))
		orphan := req.Orphans[a.Name()] && idle >= req.OrphanGrace
		if idle < req.UnusedFor && !orphan {
			rep.Apps.Kept++
			continue
		}
		size := du(dir)
		removed, err := removeApp(dir, req.DryRun)
		if err != nil {
			return rep, err
		}
		if !removed {
			rep.Apps.InUse++
			continue
		}
		rep.Apps.Removed++
		if orphan && idle < req.UnusedFor {
			rep.Apps.Orphaned++
		}
		rep.Apps.BytesFreed += size
		rep.Removed = append(rep.Removed, dir)
	}
	return rep, nil
}

func removeRootfs(e imagefs.Entry, dryRun bool) (bool, error) {
	if !dryRun {
		return imagefs.Remove(e)
	}
	return free(e.Path + ".lock")
}

func removeApp(dir string, dryRun bool) (bool, error) {
	release, free, err := fsutil.Lock(dir+".lock", true, false)
	if err != nil || !free {
		return false, err
	}
	defer release()
	if dryRun {
		return true, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("removing %s: %w", dir, err)
	}
	// The lock file stays: a build waiting on it must lock the file the
	// next build will (an unlinked one would let two builds in at once).
	return true, nil
}

// free is whether lock could be taken exclusively now (nobody uses it).
func free(lock string) (bool, error) {
	release, ok, err := fsutil.Lock(lock, true, false)
	if ok {
		release()
	}
	return ok, err
}

// orphans names the app caches under apps whose source directory is gone.
func orphans(apps string) (map[string]bool, error) {
	entries, err := os.ReadDir(apps)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("listing the app caches (%s): %w", apps, err)
	}
	out := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() && orphaned(filepath.Join(apps, e.Name())) {
			out[e.Name()] = true
		}
	}
	return out, nil
}

// appLastUsed is the app cache's last build: its lock's time, else the
// directory's.
func appLastUsed(dir string) time.Time {
	var t time.Time
	if fi, err := os.Lstat(dir); err == nil {
		t = fi.ModTime()
	}
	if fi, err := os.Lstat(dir + ".lock"); err == nil && fi.ModTime().After(t) {
		t = fi.ModTime()
	}
	return t
}

// du is the bytes the files under dir hold (not following links).
func du(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
