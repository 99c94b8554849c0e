package untar

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"

	"golang.org/x/sys/unix"
)

// parent opens the directory that will hold rel (made if missing) and
// returns it with rel's last component.
func (x *extraction) parent(rel string) (int, string, error) {
	dir, base := path.Split(rel)
	fd, err := x.root.mkdirAll(orDot(path.Clean("/" + dir)[1:]))
	if err != nil {
		return -1, "", err
	}
	return fd, base, nil
}

// orDot turns the root's "" into ".".
func orDot(rel string) string {
	if rel == "" {
		return "."
	}
	return rel
}

func (x *extraction) dir(rel string, h *tar.Header) error {
	parent, base, err := x.parent(rel)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	var st unix.Stat_t
	err = unix.Fstatat(parent, base, &st, unix.AT_SYMLINK_NOFOLLOW)
	if err == nil && st.Mode&unix.S_IFMT != unix.S_IFDIR {
		if err := removeAll(parent, base); err != nil {
			return err
		}
	}
	if err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		if err := unix.Mkdirat(parent, base, 0o700); err != nil {
			return &os.PathError{Op: "mkdir", Path: rel, Err: err}
		}
	}
	fd, err := unix.Openat(parent, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: rel, Err: err}
	}
	d := os.NewFile(uintptr(fd), rel)
	defer d.Close()
	x.stats.Dirs++
	if err := x.owner(h, d.Chown); err != nil {
		return err
	}
	mode := x.dirMode(h)
	if mode&0o700 != 0o700 {
		// Without root, later entries could not be written into it: it
		// stays open to its owner until the archive is done.
		x.late = append(x.late, lateDir{rel, mode})
		mode |= 0o700
	}
	return unix.Fchmod(fd, mode)
}

// finishDirs gives the directories kept writable their final mode, deepest
// first; one replaced or removed since is left alone.
func (x *extraction) finishDirs() error {
	for i := len(x.late) - 1; i >= 0; i-- {
		d := x.late[i]
		dir, base := path.Split(d.rel)
		parent, err := x.root.openDir(orDot(path.Clean("/" + dir)[1:]))
		if err != nil {
			continue
		}
		fd, err := unix.Openat(parent, base, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		unix.Close(parent)
		if err != nil {
			continue
		}
		err = unix.Fchmod(fd, d.mode)
		unix.Close(fd)
		if err != nil {
			return fmt.Errorf("directory %q: chmod: %w", d.rel, err)
		}
	}
	return nil
}

func (x *extraction) file(rel string, h *tar.Header, body io.Reader) error {
	if h.Size > x.lim.FileSize {
		return fmt.Errorf("%d bytes is over the limit of %d for one file (untar.Limits.FileSize)", h.Size, x.lim.FileSize)
	}
	parent, base, err := x.parent(rel)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	if err := removeAll(parent, base); err != nil {
		return err
	}
	fd, err := unix.Openat(parent, base, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return &os.PathError{Op: "create", Path: rel, Err: err}
	}
	f := os.NewFile(uintptr(fd), rel)
	defer f.Close()
	n, err := io.CopyN(f, body, h.Size)
	x.stats.Written += n
	if err != nil {
		return fmt.Errorf("writing %d bytes: %w", h.Size, err)
	}
	x.stats.Files++
	if err := x.owner(h, f.Chown); err != nil {
		return err
	}
	if err := unix.Fchmod(fd, x.fileMode(h)); err != nil {
		return err
	}
	return f.Close()
}

func (x *extraction) symlink(rel string, h *tar.Header) error {
	if h.Linkname == "" || len(h.Linkname) >= unix.PathMax {
		return fmt.Errorf("symlink target of %d bytes", len(h.Linkname))
	}
	parent, base, err := x.parent(rel)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	if err := removeAll(parent, base); err != nil {
		return err
	}
	if err := unix.Symlinkat(h.Linkname, parent, base); err != nil {
		return &os.PathError{Op: "symlink", Path: rel, Err: err}
	}
	x.stats.Symlinks++
	return x.owner(h, func(uid, gid int) error {
		return unix.Fchownat(parent, base, uid, gid, unix.AT_SYMLINK_NOFOLLOW)
	})
}

// errNotExtracted refuses a hard link to anything but a regular file in the root.
var errNotExtracted = errors.New("is not a regular file extracted before the link")

func (x *extraction) hardlink(rel string, h *tar.Header) error {
	target, ok, err := x.path(h.Linkname)
	if err != nil {
		return fmt.Errorf("hard link target: %w", err)
	}
	if !ok { // its target was renamed away: nothing to link to
		x.stats.Skipped++
		return nil
	}
	if target == rel || target == "." {
		return fmt.Errorf("hard link to %q: %w", h.Linkname, errNotExtracted)
	}
	tdir, tbase := path.Split(target)
	tparent, err := x.root.openDir(orDot(path.Clean("/" + tdir)[1:]))
	if err != nil {
		return fmt.Errorf("hard link to %q: %w", h.Linkname, errNotExtracted)
	}
	defer unix.Close(tparent)
	var st unix.Stat_t
	if err := unix.Fstatat(tparent, tbase, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("hard link to %q: %w", h.Linkname, errNotExtracted)
	}
	parent, base, err := x.parent(rel)
	if err != nil {
		return err
	}
	defer unix.Close(parent)
	if err := removeAll(parent, base); err != nil {
		return err
	}
	if err := unix.Linkat(tparent, tbase, parent, base, 0); err != nil {
		return &os.PathError{Op: "link", Path: rel, Err: err}
	}
	x.stats.Hardlinks++
	return nil
}
