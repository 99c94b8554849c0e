package untar

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// Limits bound what one Extract may do. Zero fields take DefaultLimits'.
type Limits struct {
	FileSize  int64 // largest regular file, bytes
	TotalSize int64 // sum of all entries' sizes, bytes (skipped ones too)
	Entries   int   // number of tar entries
}

// DefaultLimits fit the largest builder image with room to spare.
var DefaultLimits = Limits{FileSize: 4 << 30, TotalSize: 16 << 30, Entries: 1 << 20}

func (l Limits) orDefaults() Limits {
	if l.FileSize <= 0 {
		l.FileSize = DefaultLimits.FileSize
	}
	if l.TotalSize <= 0 {
		l.TotalSize = DefaultLimits.TotalSize
	}
	if l.Entries <= 0 {
		l.Entries = DefaultLimits.Entries
	}
	return l
}

// Options say how to extract one archive.
type Options struct {
	// Name is what is extracted, for errors: "layer sha256:…", "npm tarball …".
	Name   string
	Limits Limits
	// Owners applies the entries' uid and gid (needs root); otherwise
	// everything belongs to the caller.
	Owners bool
	// Whiteouts applies OCI whiteout entries instead of extracting them.
	Whiteouts bool
	// Rename maps an entry name (and a hard link's target) to its path in
	// the root; false skips the entry. Nil keeps names as they are.
	Rename func(name string) (string, bool)
	// FilePerm and DirPerm are added to every file's and directory's
	// permissions (npm: 0644 and 0755, readable whatever the tarball says).
	FilePerm, DirPerm os.FileMode

	// walkOnly forces the O_NOFOLLOW walk instead of openat2 (tests).
	walkOnly bool
}

// Stats counts what Extract did.
type Stats struct {
	Entries, Files, Dirs, Symlinks, Hardlinks, Whiteouts int
	// Skipped counts devices, FIFOs, renamed-away and unknown entries.
	Skipped int
	// Stripped counts files and directories that lost setuid/setgid bits.
	Stripped int
	// Read is the sum of entry sizes consumed; Written the bytes written.
	Read, Written int64
}

// Extract unpacks the tar stream r into the existing directory dir.
func Extract(r io.Reader, dir string, opts Options) (Stats, error) {
	if opts.Name == "" {
		opts.Name = "archive"
	}
	rt, err := openRoot(dir, opts.walkOnly)
	if err != nil {
		return Stats{}, fmt.Errorf("%s: opening %s: %w", opts.Name, dir, err)
	}
	defer rt.close()
	x := &extraction{root: rt, opts: opts, lim: opts.Limits.orDefaults(), seen: map[string]bool{}}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return x.stats, fmt.Errorf("%s: reading the archive after %d entries: %w", opts.Name, x.stats.Entries, err)
		}
		if err := x.entry(h, tr); err != nil {
			return x.stats, fmt.Errorf("%s: entry %q: %w", opts.Name, h.Name, err)
		}
	}
	if err := x.finishDirs(); err != nil {
		return x.stats, fmt.Errorf("%s: %w", opts.Name, err)
	}
	return x.stats, nil
}

type extraction struct {
	root  *root
	opts  Options
	lim   Limits
	stats Stats
	// seen holds every path this archive wrote and their parents: whiteouts
	// only remove what lower layers left.
	seen map[string]bool
	// late holds directories whose final mode would stop the caller from
	// writing into them; they get it when the archive is done.
	late []lateDir
}

type lateDir struct {
	rel  string
	mode uint32
}

func (x *extraction) entry(h *tar.Header, body io.Reader) error {
	x.stats.Entries++
	if x.stats.Entries > x.lim.Entries {
		return fmt.Errorf("more than %d entries (untar.Limits.Entries)", x.lim.Entries)
	}
	if h.Size < 0 {
		return fmt.Errorf("negative size %d", h.Size)
	}
	x.stats.Read += h.Size
	if x.stats.Read > x.lim.TotalSize {
		return fmt.Errorf("the archive holds more than %d bytes (untar.Limits.TotalSize)", x.lim.TotalSize)
	}
	rel, ok, err := x.path(h.Name)
	if err != nil || !ok {
		if !ok && err == nil {
			x.stats.Skipped++
		}
		return err
	}
	if rel == "." { // the root itself keeps the caller's owner and mode
		return nil
	}
	dir, base := path.Split(rel)
	if x.opts.Whiteouts && strings.HasPrefix(base, whiteoutPrefix) {
		return x.whiteout(path.Clean("/" + dir)[1:], base)
	}
	x.markSeen(rel)
	switch h.Typeflag {
	case tar.TypeDir:
		return x.dir(rel, h)
	case tar.TypeReg, tar.TypeGNUSparse:
		return x.file(rel, h, body)
	case tar.TypeSymlink:
		return x.symlink(rel, h)
	case tar.TypeLink:
		return x.hardlink(rel, h)
	default: // devices, FIFOs, and anything newer than this code
		x.stats.Skipped++
		return nil
	}
}

// path maps an entry name to a clean path relative to the root ("." for
// the root itself); false skips it, an error refuses an escape.
func (x *extraction) path(name string) (string, bool, error) {
	if x.opts.Rename != nil {
		var ok bool
		if name, ok = x.opts.Rename(name); !ok {
			return "", false, nil
		}
	}
	rel, err := clean(name)
	return rel, err == nil, err
}

// clean makes name relative to the root, refusing ".." escapes.
func clean(name string) (string, error) {
	if strings.IndexByte(name, 0) >= 0 {
		return "", errors.New("the name holds a NUL byte")
	}
	rel := path.Clean(strings.TrimLeft(name, "/"))
	if rel == ".." || strings.HasPrefix(rel, "../") {
		return "", fmt.Errorf("%q climbs out of the root", name)
	}
	return rel, nil
}

func (x *extraction) markSeen(rel string) {
	for p := rel; p != "." && p != "/" && !x.seen[p]; p = path.Dir(p) {
		x.seen[p] = true
	}
}

// owner applies the entry's owner to fd's file when Options.Owners says so.
func (x *extraction) owner(h *tar.Header, chown func(uid, gid int) error) error {
	if !x.opts.Owners {
		return nil
	}
	if h.Uid < 0 || h.Gid < 0 || h.Uid > maxID || h.Gid > maxID {
		return fmt.Errorf("owner %d:%d is out of range", h.Uid, h.Gid)
	}
	return chown(h.Uid, h.Gid)
}

// maxID is the largest uid/gid; 2^32-1 means "unchanged" to chown.
const maxID = 1<<32 - 2

// fileMode is the policy for regular files: permissions only.
func (x *extraction) fileMode(h *tar.Header) uint32 {
	if h.Mode&(unix.S_ISUID|unix.S_ISGID) != 0 {
		x.stats.Stripped++
	}
	return uint32(h.Mode)&0o777 | uint32(x.opts.FilePerm.Perm())
}

// dirMode is the policy for directories: setgid and sticky stay.
func (x *extraction) dirMode(h *tar.Header) uint32 {
	if h.Mode&unix.S_ISUID != 0 {
		x.stats.Stripped++
	}
	return uint32(h.Mode)&(0o777|unix.S_ISGID|unix.S_ISVTX) | uint32(x.opts.DirPerm.Perm())
}
