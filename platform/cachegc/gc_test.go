package cachegc

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"kiln.dev/kiln/platform/imagefs"
)

// TestCollect is the policy over one store: what goes, what stays and why.
func TestCollect(t *testing.T) {
	now := time.Now()
	type rootfs struct {
		name   string
		idle   time.Duration
		tagged bool
		inUse  bool
	}
	type app struct {
		name  string
		idle  time.Duration
		inUse bool
		// source: "" no record (a cache from before records), "here" a
		// directory that exists, "gone" one removed since, "unmounted" one
		// that is not there but was on another device than its parent is
		// on now (a volume not mounted).
		source string
	}
	rootfses := []rootfs{
		{"tagged-recent", time.Hour, true, false},
		{"tagged-old", 10 * 24 * time.Hour, true, false},
		{"untagged-just-used", time.Minute, false, false},
		{"untagged-idle", time.Hour, false, false},
		{"untagged-old-in-use", 10 * 24 * time.Hour, false, true},
	}
	apps := []app{
		{"app-recent", time.Hour, false, ""},
		{"app-old", 10 * 24 * time.Hour, false, ""},
		{"app-old-building", 10 * 24 * time.Hour, true, ""},
		{"app-source-here", time.Hour, false, "here"},
		{"app-source-gone", time.Hour, false, "gone"},
		{"app-source-gone-just-built", time.Minute, false, "gone"},
		{"app-source-gone-building", time.Hour, true, "gone"},
		{"app-source-unmounted", time.Hour, false, "unmounted"},
	}
	for _, tc := range []struct {
		name      string
		unusedFor time.Duration
		untagged  time.Duration
		orphan    time.Duration
		dryRun    bool
		gone      []string
		orphaned  int
	}{
		{"a week", 7 * 24 * time.Hour, DefaultUntaggedGrace, DefaultOrphanGrace, false,
			[]string{"tagged-old", "untagged-idle", "app-old", "app-source-gone"}, 1},
		{"a week, no grace for untagged or orphans", 7 * 24 * time.Hour, 0, 0, false,
			[]string{"tagged-old", "untagged-just-used", "untagged-idle", "app-old", "app-source-gone", "app-source-gone-just-built"}, 2},
		{"orphans kept a day", 7 * 24 * time.Hour, DefaultUntaggedGrace, 24 * time.Hour, false,
			[]string{"tagged-old", "untagged-idle", "app-old"}, 0},
		{"everything idle", 0, DefaultUntaggedGrace, DefaultOrphanGrace, false,
			[]string{"tagged-recent", "tagged-old", "untagged-just-used", "untagged-idle", "app-recent", "app-old",
				"app-source-here", "app-source-gone", "app-source-gone-just-built", "app-source-unmounted"}, 0},
		{"dry run", 0, DefaultUntaggedGrace, 0, true, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			store := t.TempDir()
			paths := map[string]string{}
			tagged := map[string]bool{}
			for i, r := range rootfses {
				hex := strings.Repeat(string(rune('a'+i)), 64)
				p := filepath.Join(store, "rootfs", "sha256-"+hex)
				mustMkdir(t, filepath.Join(p, "bin"))
				mustWrite(t, filepath.Join(p, "bin", "f"), "12345")
				mustWrite(t, p+".complete", "")
				at := now.Add(-r.idle)
				os.Chtimes(p+".complete", at, at)
				if r.tagged {
					tagged["sha256:"+hex] = true
				}
				if r.inUse {
					release, err := imagefs.Use(p)
					if err != nil {
						t.Fatal(err)
					}
					t.Cleanup(release)
					os.Chtimes(p+".lock", at, at)
				}
				paths[r.name] = p
			}
			for _, a := range apps {
				p := filepath.Join(store, "apps", a.name)
				mustMkdir(t, filepath.Join(p, "cache"))
				mustWrite(t, filepath.Join(p, "cache", "layer"), "123")
				var source string
				if a.source != "" {
					source = filepath.Join(t.TempDir(), "src")
					mustMkdir(t, source)
				}
				if a.inUse || source != "" {
					release, err := LockApp(p, source, nil)
					if err != nil {
						t.Fatal(err)
					}
					if a.inUse {
						t.Cleanup(release)
					} else {
						release()
					}
				}
				switch a.source {
				case "gone":
					os.RemoveAll(source)
				case "unmounted":
					os.RemoveAll(source)
					var rec sourceRecord
					b, _ := os.ReadFile(p + ".lock")
					if err := json.Unmarshal(b, &rec); err != nil || rec.Source != source {
						t.Fatalf("lock record %q (%v); want the source %s", b, err, source)
					}
					rec.Dev++
					b, _ = json.Marshal(rec)
					mustWrite(t, p+".lock", string(b))
				}
				at := now.Add(-a.idle)
				os.Chtimes(p, at, at)
				os.Chtimes(p+".lock", at, at)
				paths[a.name] = p
			}
			orphans, err := orphans(filepath.Join(store, "apps"))
			if err != nil {
				t.Fatal(err)
			}
			rep, err := collect(request{Store: store, Tagged: tagged, UnusedFor: tc.unusedFor, Untagged: tc.untagged,
				Orphans: orphans, OrphanGrace: tc.orphan, DryRun: tc.dryRun, Now: now})
			if err != nil {
				t.Fatal(err)
			}
			var gone []string
			for name, p := range paths {
				if _, err := os.Stat(p); os.IsNotExist(err) {
					gone = append(gone, name)
				}
			}
			slices.Sort(gone)
			want := slices.Clone(tc.gone)
			slices.Sort(want)
			if !slices.Equal(gone, want) {
				t.Fatalf("removed %v; want %v (report %+v)", gone, want, rep)
			}
			if tc.dryRun {
				if len(rep.Removed) == 0 {
					t.Fatalf("a dry run reported nothing to remove: %+v", rep)
				}
				return
			}
			if rep.Rootfs.Removed+rep.Apps.Removed != len(tc.gone) || len(rep.Removed) != len(tc.gone) {
				t.Fatalf("report %+v; want %d removed", rep, len(tc.gone))
			}
			if rep.Apps.Orphaned != tc.orphaned {
				t.Fatalf("report %+v: %d app caches counted as removed for their gone source; want %d", rep, rep.Apps.Orphaned, tc.orphaned)
			}
			if rep.Rootfs.InUse+rep.Apps.InUse == 0 {
				t.Fatalf("report %+v: the rootfs and the app in use were not counted as in use", rep)
			}
			if rep.Rootfs.Removed > 0 && rep.Rootfs.BytesFreed != int64(5*rep.Rootfs.Removed) {
				t.Fatalf("rootfs bytes freed %d; want %d", rep.Rootfs.BytesFreed, 5*rep.Rootfs.Removed)
			}
		})
	}
}

// TestLockAppWaits: a second build of one app waits, saying so, until the
// first releases the cache.
func TestLockAppWaits(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "app")
	mustMkdir(t, dir)
	first, err := LockApp(dir, dir, func() { t.Error("the first build was told to wait") })
	if err != nil {
		t.Fatal(err)
	}
	waiting, locked := make(chan struct{}), make(chan func())
	go func() {
		release, err := LockApp(dir, dir, func() { close(waiting) })
		if err != nil {
			t.Error(err)
		}
		locked <- release
	}()
	select {
	case <-waiting:
	case <-locked:
		t.Fatal("the second build got the cache while the first held it")
	case <-time.After(10 * time.Second):
		t.Fatal("the second build was not told to wait within 10s")
	}
	first()
	select {
	case release := <-locked:
		release()
	case <-time.After(10 * time.Second):
		t.Fatal("the second build did not get the cache within 10s of the first releasing it")
	}
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.MkdirAll(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
