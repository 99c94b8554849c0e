// Package untartest holds what the extraction tests of imagefs, npmreg and
// untar share: a sandbox with canaries outside the extraction root, a tar
// builder, and the table of hostile archives every extractor must survive.
package untartest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Entry is one tar entry. Type defaults to a regular file.
type Entry struct {
	Name, Body, Link string
	Type             byte
	Mode             int64
	UID              int
	Major, Minor     int64
}

// Tar writes entries into a tar stream.
func Tar(t testing.TB, entries []Entry) []byte {
	t.Helper()
	b, err := tarOf(entries, false)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TarLenient is Tar leaving out the entries archive/tar refuses to write
// (a NUL in a name, say): fuzz targets build archives from any bytes.
func TarLenient(entries []Entry) []byte {
	b, _ := tarOf(entries, true)
	return b
}

func tarOf(entries []Entry, lenient bool) ([]byte, error) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Linkname: e.Link, Typeflag: e.Type, Mode: e.Mode, Uid: e.UID, Gid: e.UID,
			Devmajor: e.Major, Devminor: e.Minor, Format: tar.FormatPAX}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(e.Body))
		}
		if err := tw.WriteHeader(h); err != nil {
			if lenient {
				continue
			}
			return nil, fmt.Errorf("tar header %q: %w", e.Name, err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.Body))
		}
	}
	err := tw.Close()
	return buf.Bytes(), err
}

// Tgz gzips Tar(entries).
func Tgz(t testing.TB, entries []Entry) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	gz.Write(Tar(t, entries))
	gz.Close()
	return buf.Bytes()
}

// Sandbox is a temp dir laid out so that an escape from Root shows:
//
//	Base/host/secret          an absolute-path target (Host)
//	Base/jail/canary/secret   a sibling of Root, reachable with "../canary"
//	Base/jail/root            Root, where archives are extracted
type Sandbox struct {
	Base, Host, Root string
	before           map[string]string
}

// NewSandbox makes the layout and records everything outside Root.
func NewSandbox(t testing.TB) *Sandbox {
	t.Helper()
	base := t.TempDir()
	s := &Sandbox{Base: base, Host: filepath.Join(base, "host"), Root: filepath.Join(base, "jail", "root")}
	for _, d := range []string{s.Host, s.Root, filepath.Join(base, "jail", "canary")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{filepath.Join(s.Host, "secret"), filepath.Join(base, "jail", "canary", "secret")} {
		if err := os.WriteFile(f, []byte("host data\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s.before = s.snapshot(t)
	return s
}

// Verify fails t if anything outside Root changed: a new, removed or
// modified file, a mode, an owner or a link count.
func (s *Sandbox) Verify(t testing.TB) {
	t.Helper()
	after := s.snapshot(t)
	for p, was := range s.before {
		if now, ok := after[p]; !ok {
			t.Errorf("outside the root: %s was removed", p)
		} else if now != was {
			t.Errorf("outside the root: %s changed: %s -> %s", p, was, now)
		}
	}
	for p, now := range after {
		if _, ok := s.before[p]; !ok {
			t.Errorf("outside the root: %s was created (%s)", p, now)
		}
	}
}

func (s *Sandbox) snapshot(t testing.TB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(s.Base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == s.Root {
			return filepath.SkipDir
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		st := fi.Sys().(*syscall.Stat_t)
		desc := fmt.Sprintf("mode=%v uid=%d gid=%d nlink=%d", fi.Mode(), st.Uid, st.Gid, st.Nlink)
		switch {
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" sha256=%x", sha256.Sum256(b))
		case fi.Mode()&os.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			desc += " -> " + l
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Case is one hostile archive and what a safe extractor must make of it.
type Case struct {
	Name    string
	Entries []Entry
	// Refused: extraction must fail with an error naming the entry.
	Refused bool
	// Files maps paths under the root to the content they must hold
	// afterwards ("/" for a directory).
	Files map[string]string
	// Absent lists paths under the root that must not exist.
	Absent []string
	// Modes maps paths under the root to their exact mode afterwards.
	Modes map[string]os.FileMode
}

// Host and InRoot stand, in Breakouts, for the sandbox's host directory
// and for where that absolute path lands inside the root; Bind replaces them.
const (
	Host   = "{host}"
	InRoot = "{host-in-root}"
)

// Breakouts is the table of escapes (symlink, hardlink, "..", absolute,
// parent symlink, directory mode) and policies (setuid, devices) that
// every extractor in Kiln must handle; Bind each case to a Sandbox.
func Breakouts() []Case {
	host, inRoot := Host, InRoot
	return []Case{
		{Name: "symlink: a file written over a symlink replaces the link",
			Entries: []Entry{{Name: "link", Type: tar.TypeSymlink, Link: host + "/secret"}, {Name: "link", Body: "pwned"}},
			Files:   map[string]string{"link": "pwned"}},
		{Name: "hardlink: through a symlinked parent to a host file",
			Entries: []Entry{{Name: "evil", Type: tar.TypeSymlink, Link: host}, {Name: "stolen", Type: tar.TypeLink, Link: "evil/secret", UID: 4242}},
			Refused: true},
		{Name: "hardlink: with .. to a host file",
			Entries: []Entry{{Name: "stolen", Type: tar.TypeLink, Link: "../canary/secret", UID: 4242}},
			Refused: true},
		{Name: "hardlink: to a symlink",
			Entries: []Entry{{Name: "s", Type: tar.TypeSymlink, Link: host + "/secret"}, {Name: "h", Type: tar.TypeLink, Link: "s"}},
			Refused: true},
		{Name: "dotdot: entry name climbing out",
			Entries: []Entry{{Name: "a/../../canary/pwned", Body: "pwned"}},
			Refused: true},
		{Name: "dotdot: relative symlink climbing out, then a file beneath it",
			Entries: []Entry{{Name: "up", Type: tar.TypeSymlink, Link: "../canary"}, {Name: "up/pwned", Body: "pwned"}},
			Files:   map[string]string{"canary/pwned": "pwned"}},
		{Name: "absolute: entry name is a host path",
			Entries: []Entry{{Name: host + "/pwned", Body: "pwned"}},
			Files:   map[string]string{inRoot + "/pwned": "pwned"}},
		{Name: "parent-symlink: absolute symlink to a host dir, then a file beneath it",
			Entries: []Entry{{Name: "evil", Type: tar.TypeSymlink, Link: host}, {Name: "evil/pwned", Body: "pwned"}},
			Files:   map[string]string{inRoot + "/pwned": "pwned"}},
		{Name: "parent-symlink: symlink chain to a host dir, then a directory beneath it",
			Entries: []Entry{{Name: "a", Type: tar.TypeSymlink, Link: "b"}, {Name: "b", Type: tar.TypeSymlink, Link: host},
				{Name: "a/sub/", Type: tar.TypeDir, Mode: 0o755}, {Name: "a/sub/pwned", Body: "pwned"}},
			Files: map[string]string{inRoot + "/sub/pwned": "pwned"}},
		{Name: "dir-mode: a directory entry over a symlink to a host dir",
			Entries: []Entry{{Name: "evil", Type: tar.TypeSymlink, Link: host}, {Name: "evil/", Type: tar.TypeDir, Mode: 0o4777}},
			Files:   map[string]string{"evil": "/"},
			Modes:   map[string]os.FileMode{"evil": os.ModeDir | 0o777}},
		{Name: "policy: setuid and setgid bits are stripped, sticky dirs kept",
			Entries: []Entry{{Name: "tmp/", Type: tar.TypeDir, Mode: 0o1777}, {Name: "bin/su", Body: "x", Mode: 0o6755}},
			Files:   map[string]string{"bin/su": "x", "tmp": "/"},
			Modes:   map[string]os.FileMode{"bin/su": 0o755, "tmp": os.ModeDir | os.ModeSticky | 0o777}},
		{Name: "policy: device nodes are skipped",
			Entries: []Entry{{Name: "dev/", Type: tar.TypeDir, Mode: 0o755}, {Name: "dev/mem", Type: tar.TypeChar, Major: 1, Minor: 1, Mode: 0o666},
				{Name: "dev/sda", Type: tar.TypeBlock, Major: 8, Minor: 0, Mode: 0o660}, {Name: "etc/ok", Body: "ok"}},
			Files:  map[string]string{"etc/ok": "ok"},
			Absent: []string{"dev/mem", "dev/sda"}},
	}
}

// Bind returns c with Host and InRoot replaced for s, each entry name
// prefixed with prefix (npm tarballs hold "package/...").
func (c Case) Bind(s *Sandbox, prefix string) Case {
	r := strings.NewReplacer(InRoot, strings.TrimPrefix(s.Host, "/"), Host, s.Host)
	out := c
	out.Entries = nil
	for _, e := range c.Entries {
		e.Name = prefix + r.Replace(e.Name)
		e.Link = r.Replace(e.Link)
		if e.Type == tar.TypeLink {
			e.Link = prefix + e.Link
		}
		out.Entries = append(out.Entries, e)
	}
	out.Files = map[string]string{}
	for k, v := range c.Files {
		out.Files[r.Replace(k)] = v
	}
	return out
}

// Check asserts what c wants of an extraction into s.Root that returned err.
func (c Case) Check(t testing.TB, s *Sandbox, err error) {
	t.Helper()
	s.Verify(t)
	if c.Refused {
		if err == nil {
			t.Errorf("extraction succeeded, want it refused")
		}
		return
	}
	if err != nil {
		t.Fatalf("extraction failed: %v", err)
	}
	for rel, want := range c.Files {
		p := filepath.Join(s.Root, rel)
		fi, err := os.Lstat(p)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		if want == "/" {
			if !fi.IsDir() {
				t.Errorf("%s is %v, want a directory", rel, fi.Mode())
			}
			continue
		}
		if !fi.Mode().IsRegular() {
			t.Errorf("%s is %v, want a regular file", rel, fi.Mode())
			continue
		}
		if b, _ := os.ReadFile(p); string(b) != want {
			t.Errorf("%s holds %q, want %q", rel, b, want)
		}
	}
	for _, rel := range c.Absent {
		if _, err := os.Lstat(filepath.Join(s.Root, rel)); err == nil {
			t.Errorf("%s exists, want it skipped", rel)
		}
	}
	for rel, want := range c.Modes {
		if fi, err := os.Lstat(filepath.Join(s.Root, rel)); err != nil || fi.Mode() != want {
			t.Errorf("%s mode: %v (%v), want %v", rel, fi.Mode(), err, want)
		}
	}
}
