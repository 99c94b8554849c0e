package untar

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"kiln.dev/kiln/platform/untar/untartest"
)

// resolvers runs a test under openat2 and under the O_NOFOLLOW walk.
var resolvers = map[string]bool{"openat2": false, "walk": true}

// layer is the policy imagefs extracts image layers with.
func layer(walk bool) Options {
	return Options{Name: "layer sha256:test", Owners: true, Whiteouts: true, walkOnly: walk}
}

func extract(t *testing.T, dir string, opts Options, entries ...untartest.Entry) (Stats, error) {
	t.Helper()
	return Extract(bytes.NewReader(untartest.Tar(t, entries)), dir, opts)
}

func TestBreakouts(t *testing.T) {
	for resolver, walk := range resolvers {
		for _, c := range untartest.Breakouts() {
			t.Run(resolver+"/"+c.Name, func(t *testing.T) {
				s := untartest.NewSandbox(t)
				c := c.Bind(s, "")
				_, err := extract(t, s.Root, layer(walk), c.Entries...)
				c.Check(t, s, err)
				if c.Refused && err != nil && !strings.Contains(err.Error(), `layer sha256:test: entry "`) {
					t.Errorf("error %q does not name the layer and the entry", err)
				}
			})
		}
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exists(p string) bool { _, err := os.Lstat(p); return err == nil }

func TestLayersApplyInTheRootLikeAContainerWould(t *testing.T) {
	for resolver, walk := range resolvers {
		t.Run(resolver, func(t *testing.T) {
			root := t.TempDir()
			lower := []untartest.Entry{
				{Name: "usr/bin/", Type: tar.TypeDir, Mode: 0o755},
				{Name: "bin", Type: tar.TypeSymlink, Link: "/usr/bin"}, // usrmerge
				{Name: "etc/old", Body: "old"},
				{Name: "etc/keep", Body: "keep"},
				{Name: "opt/app/a", Body: "a"},
				{Name: "opt/app/sub/b", Body: "b"},
				{Name: "var/tree/x/y", Body: "y"},
				{Name: "data", Body: "was a file"},
				{Name: "srv/old", Body: "old"},
				{Name: "srv/sub/old", Body: "old"},
				{Name: "usr/share/", Type: tar.TypeDir, Mode: 0o755},
				{Name: "usr/lib/abs", Type: tar.TypeSymlink, Link: "/usr/share"}, // absolute, below the root
				{Name: "usr/lib/rel", Type: tar.TypeSymlink, Link: "../../../../usr/share"},
			}
			if _, err := extract(t, root, layer(walk), lower...); err != nil {
				t.Fatal(err)
			}
			st, err := extract(t, root, layer(walk),
				untartest.Entry{Name: "bin/tool", Body: "tool", Mode: 0o755, UID: 1000}, // through the lower layer's symlink
				untartest.Entry{Name: "bin/hard", Type: tar.TypeLink, Link: "usr/bin/tool"},
				untartest.Entry{Name: "etc/.wh.old"},
				untartest.Entry{Name: "opt/app/.wh..wh..opq"},
				untartest.Entry{Name: "opt/app/new", Body: "new"},
				untartest.Entry{Name: "opt/app/sub/c", Body: "c"},
				untartest.Entry{Name: "var/.wh.tree"},
				untartest.Entry{Name: "etc/same", Body: "same layer"},
				untartest.Entry{Name: "etc/.wh.same"}, // hides lower layers only
				untartest.Entry{Name: "data/", Type: tar.TypeDir, Mode: 0o555},
				untartest.Entry{Name: "data/inside", Body: "in"},
				untartest.Entry{Name: "usr/lib/abs/a", Body: "a"},
				untartest.Entry{Name: "usr/lib/rel/r", Body: "r"},
				// An opaque marker after this layer's own entries keeps them.
				untartest.Entry{Name: "srv/sub/mine", Body: "mine"},
				untartest.Entry{Name: "srv/mine", Body: "mine"},
				untartest.Entry{Name: "srv/.wh..wh..opq"},
			)
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, filepath.Join(root, "usr/bin/tool")); got != "tool" {
				t.Errorf("usr/bin/tool = %q", got)
			}
			var a, b syscall.Stat_t
			syscall.Stat(filepath.Join(root, "usr/bin/tool"), &a)
			syscall.Stat(filepath.Join(root, "usr/bin/hard"), &b)
			if a.Ino != b.Ino || a.Uid != 1000 {
				t.Errorf("hard link: inodes %d/%d, uid %d", a.Ino, b.Ino, a.Uid)
			}
			for p, want := range map[string]bool{
				"etc/old": false, "etc/keep": true, "etc/same": true,
				"opt/app/a": false, "opt/app/sub/b": false, "opt/app/new": true, "opt/app/sub/c": true,
				"var/tree": false, "var": true, "data/inside": true, "usr/share/a": true, "usr/share/r": true,
				"srv/old": false, "srv/sub/old": false, "srv/mine": true, "srv/sub/mine": true,
			} {
				if exists(filepath.Join(root, p)) != want {
					t.Errorf("%s exists = %v, want %v", p, !want, want)
				}
			}
			if fi, _ := os.Stat(filepath.Join(root, "data")); fi.Mode() != os.ModeDir|0o555 {
				t.Errorf("data mode %v, want dr-xr-xr-x once the layer is done", fi.Mode())
			}
			if st.Whiteouts != 5 || st.Hardlinks != 1 || st.Files != 9 || st.Dirs != 1 {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

func TestEntriesReplaceWhatWasThere(t *testing.T) {
	root := t.TempDir()
	os.MkdirAll(filepath.Join(root, "d/sub"), 0o755)
	os.WriteFile(filepath.Join(root, "d/sub/f"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(root, "f"), []byte("x"), 0o644)
	os.Symlink("/", filepath.Join(root, "l"))
	_, err := extract(t, root, layer(false),
		untartest.Entry{Name: "d", Body: "file over a tree"},
		untartest.Entry{Name: "f/", Type: tar.TypeDir, Mode: 0o750},
		untartest.Entry{Name: "l", Type: tar.TypeSymlink, Link: "f"},
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(root, "d")); got != "file over a tree" {
		t.Errorf("d = %q", got)
	}
	if fi, err := os.Lstat(filepath.Join(root, "f")); err != nil || fi.Mode() != os.ModeDir|0o750 {
		t.Errorf("f: %v %v", fi.Mode(), err)
	}
	if l, _ := os.Readlink(filepath.Join(root, "l")); l != "f" {
		t.Errorf("l -> %q", l)
	}
}

func TestOwnersOnlyWhenAsked(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	for _, owners := range []bool{true, false} {
		root := t.TempDir()
		opts := layer(false)
		opts.Owners = owners
		_, err := extract(t, root, opts,
			untartest.Entry{Name: "d/", Type: tar.TypeDir, Mode: 0o755, UID: 7},
			untartest.Entry{Name: "d/f", Body: "f", UID: 8},
			untartest.Entry{Name: "d/l", Type: tar.TypeSymlink, Link: "f", UID: 9})
		if err != nil {
			t.Fatal(err)
		}
		for p, uid := range map[string]uint32{"d": 7, "d/f": 8, "d/l": 9} {
			var st syscall.Stat_t
			syscall.Lstat(filepath.Join(root, p), &st)
			if want := map[bool]uint32{true: uid, false: 0}[owners]; st.Uid != want || st.Gid != want {
				t.Errorf("owners=%v: %s owned by %d:%d, want %d", owners, p, st.Uid, st.Gid, want)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	big := untartest.Entry{Name: "big", Body: strings.Repeat("x", 100)}
	small := untartest.Entry{Name: "small", Body: strings.Repeat("x", 60)}
	for _, c := range []struct {
		what      string
		lim, fits Limits
		entries   []untartest.Entry
		want      string
	}{
		{"file", Limits{FileSize: 99}, Limits{FileSize: 100}, []untartest.Entry{big}, "100 bytes is over the limit of 99 for one file (untar.Limits.FileSize)"},
		{"total", Limits{TotalSize: 159}, Limits{TotalSize: 160}, []untartest.Entry{big, small}, "more than 159 bytes (untar.Limits.TotalSize)"},
		{"entries", Limits{Entries: 1}, Limits{Entries: 2}, []untartest.Entry{big, small}, "more than 1 entries (untar.Limits.Entries)"},
	} {
		t.Run(c.what, func(t *testing.T) {
			opts := layer(false)
			opts.Limits = c.lim
			_, err := extract(t, t.TempDir(), opts, c.entries...)
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "layer sha256:test: entry ") {
				t.Fatalf("got %v, want an error naming the layer, the entry and %q", err, c.want)
			}
		})
		t.Run(c.what+" at the limit", func(t *testing.T) {
			opts := layer(false)
			opts.Limits = c.fits
			if _, err := extract(t, t.TempDir(), opts, c.entries...); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestRenameSkipsAndMapsLinks(t *testing.T) {
	root := t.TempDir()
	opts := Options{Name: "npm tarball x.tgz", FilePerm: 0o644, DirPerm: 0o755,
		Rename: func(name string) (string, bool) {
			rel, ok := strings.CutPrefix(name, "package/")
			return rel, ok && !strings.HasPrefix(rel, "skip")
		}}
	st, err := extract(t, root, opts,
		untartest.Entry{Name: "package/bin/node", Body: "elf", Mode: 0o700},
		untartest.Entry{Name: "other/file", Body: "x"},
		untartest.Entry{Name: "package/skipped", Body: "x"},
		untartest.Entry{Name: "package/bin/alias", Type: tar.TypeLink, Link: "package/bin/node"},
		untartest.Entry{Name: "package/bin/gone", Type: tar.TypeLink, Link: "package/skipped"},
		untartest.Entry{Name: "package/lib/", Type: tar.TypeDir, Mode: 0o700},
		untartest.Entry{Name: "package/.wh.bin"}, // not a layer: an ordinary file
	)
	if err != nil {
		t.Fatal(err)
	}
	for p, mode := range map[string]os.FileMode{"bin/node": 0o744, "bin/alias": 0o744, "lib": os.ModeDir | 0o755, ".wh.bin": 0o644} {
		if fi, err := os.Lstat(filepath.Join(root, p)); err != nil || fi.Mode() != mode {
			t.Errorf("%s: %v %v, want %v", p, fi.Mode(), err, mode)
		}
	}
	if exists(filepath.Join(root, "skipped")) || exists(filepath.Join(root, "bin/gone")) || exists(filepath.Join(root, "file")) {
		t.Error("a renamed-away entry or a link to one was extracted")
	}
	if st.Skipped != 3 {
		t.Errorf("skipped %d, want 3", st.Skipped)
	}
}

func TestStatsCountWhatThePolicyDid(t *testing.T) {
	st, err := extract(t, t.TempDir(), layer(false),
		untartest.Entry{Name: "bin/su", Body: "x", Mode: 0o4755},
		untartest.Entry{Name: "bin/wall", Body: "x", Mode: 0o2755},
		untartest.Entry{Name: "srv/", Type: tar.TypeDir, Mode: 0o4755},
		untartest.Entry{Name: "srv/shared/", Type: tar.TypeDir, Mode: 0o2775},
		untartest.Entry{Name: "dev/null", Type: tar.TypeChar, Major: 1, Minor: 3},
		untartest.Entry{Name: "run/fifo", Type: tar.TypeFifo},
		untartest.Entry{Name: "bin/sh", Type: tar.TypeSymlink, Link: "su"},
		untartest.Entry{Name: "srv/", Type: tar.TypeDir, Mode: 0o755}, // over the directory: kept, mode applied
	)
	want := Stats{Entries: 8, Files: 2, Dirs: 3, Symlinks: 1, Skipped: 2, Stripped: 3, Read: 2, Written: 2}
	if err != nil || st != want {
		t.Fatalf("stats %+v (%v), want %+v", st, err, want)
	}
}

func TestOwnerRange(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	root := t.TempDir()
	if _, err := extract(t, root, layer(false), untartest.Entry{Name: "max", Body: "x", UID: 1<<32 - 2}); err != nil {
		t.Fatalf("uid 2^32-2: %v", err)
	}
	if _, err := extract(t, root, layer(false), untartest.Entry{Name: "unchanged", Body: "x", UID: 1<<32 - 1}); err == nil || !strings.Contains(err.Error(), "out of range") {
		t.Fatalf("uid 2^32-1 (chown's \"unchanged\"): %v", err)
	}
}

func TestRefusesBrokenArchives(t *testing.T) {
	for what, entries := range map[string][]untartest.Entry{
		"a symlink loop":        {{Name: "l", Type: tar.TypeSymlink, Link: "m"}, {Name: "m", Type: tar.TypeSymlink, Link: "l"}, {Name: "l/x", Body: "x"}},
		"empty symlink target":  {{Name: "l", Type: tar.TypeSymlink, Link: ""}},
		"hard link to itself":   {{Name: "h", Type: tar.TypeLink, Link: "h"}},
		"hard link to the root": {{Name: "h", Type: tar.TypeLink, Link: "./"}},
		"hard link to a dir":    {{Name: "d/", Type: tar.TypeDir}, {Name: "h", Type: tar.TypeLink, Link: "d"}},
		"file under a file":     {{Name: "f", Body: "x"}, {Name: "f/g", Body: "y"}},
	} {
		for resolver, walk := range resolvers {
			t.Run(resolver+"/"+what, func(t *testing.T) {
				if _, err := extract(t, t.TempDir(), layer(walk), entries...); err == nil {
					t.Fatal("extracted, want an error")
				}
			})
		}
	}
	if _, err := Extract(strings.NewReader("not a tar archive, long enough to hold a header? no: it is too short"), t.TempDir(), layer(false)); err == nil {
		t.Error("garbage extracted without an error")
	}
	if _, err := Extract(strings.NewReader(""), filepath.Join(t.TempDir(), "missing"), layer(false)); err == nil {
		t.Error("extracted into a missing directory")
	}
}

func TestOpenInRootStaysInTheRoot(t *testing.T) {
	for resolver, walk := range resolvers {
		t.Run(resolver, func(t *testing.T) {
			s := untartest.NewSandbox(t)
			_, err := extract(t, s.Root, layer(false),
				untartest.Entry{Name: "cnb/run.toml", Type: tar.TypeSymlink, Link: s.Host + "/secret"},
				untartest.Entry{Name: "cnb/up.toml", Type: tar.TypeSymlink, Link: "../../canary/secret"},
				untartest.Entry{Name: "cnb/ok.toml", Type: tar.TypeSymlink, Link: "/etc/real.toml"},
				untartest.Entry{Name: "etc/real.toml", Body: "in the image"},
				untartest.Entry{Name: "cnb/rel.toml", Type: tar.TypeSymlink, Link: "sub/x.toml"},
				untartest.Entry{Name: "cnb/sub/x.toml", Body: "beside"})
			if err != nil {
				t.Fatal(err)
			}
			open := func(dir, name string) (*os.File, error) { return openInRoot(dir, name, walk) }
			for name, want := range map[string]string{"cnb/rel.toml": "beside", "cnb/ok.toml": "in the image", "/etc/real.toml": "in the image", "cnb/run.toml": "", "cnb/up.toml": ""} {
				f, err := open(s.Root, name)
				if want == "" {
					if err == nil {
						b := make([]byte, 100)
						n, _ := f.Read(b)
						f.Close()
						t.Errorf("%s opened, read %q: want it not found inside the root", name, b[:n])
					}
					continue
				}
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				b := make([]byte, 100)
				n, _ := f.Read(b)
				f.Close()
				if string(b[:n]) != want {
					t.Errorf("%s = %q, want %q", name, b[:n], want)
				}
			}
			if _, err := open(s.Root, "../canary/secret"); err == nil {
				t.Error("a name climbing out opened")
			}
		})
	}
}
