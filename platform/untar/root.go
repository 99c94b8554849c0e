package untar

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// root is the extraction directory, held open; every path below it is
// resolved relative to this descriptor and cannot leave it.
type root struct {
	fd int
	// walkOnly: no openat2 (ENOSYS, or tests), the O_NOFOLLOW walk resolves.
	walkOnly bool
	// openDir opens a directory below the root (O_PATH), following
	// symlinks as if the root were "/".
	openDir func(rel string) (int, error)
}

func openRoot(dir string, walkOnly bool) (*root, error) {
	fd, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	r := &root{fd: fd}
	r.openDir = r.openat2
	if walkOnly {
		r.openDir, r.walkOnly = r.lookup, true
	} else if fd, err := r.openat2("."); errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EPERM) {
		// No openat2: an old kernel, or a seccomp filter refusing it (ENOSYS
		// or EPERM; opening the root itself cannot fail otherwise).
		r.openDir, r.walkOnly = r.lookup, true
	} else if err != nil {
		r.close()
		return nil, err
	} else {
		unix.Close(fd)
	}
	return r, nil
}

func (r *root) close() { unix.Close(r.fd) }

// inRoot is the resolution every lookup below the root uses.
const inRoot = unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV

func (r *root) openat2(rel string) (int, error) {
	how := unix.OpenHow{Flags: unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC, Resolve: inRoot}
	for tries := 0; ; tries++ {
		fd, err := unix.Openat2(r.fd, rel, &how)
		// EAGAIN: a rename raced the lookup; nothing else writes here, so retry.
		if errors.Is(err, unix.EAGAIN) && tries < 16 {
			continue
		}
		return fd, err
	}
}

// maxLinks bounds symlink hops in the walk, as the kernel does (ELOOP).
const maxLinks = 40

func (r *root) lookup(rel string) (int, error) { return r.walk(rel, false) }

// walk resolves rel one component at a time with O_NOFOLLOW, reading each
// symlink itself: an absolute target restarts at the root, ".." stops at
// it. With create, a missing directory is made (0755) where the walk
// reaches it, also at the end of a dangling symlink.
func (r *root) walk(rel string, create bool) (int, error) {
	var stack []int // directories below the root; the root is r.fd
	cur := func() int {
		if len(stack) == 0 {
			return r.fd
		}
		return stack[len(stack)-1]
	}
	closeAll := func() {
		for _, fd := range stack {
			unix.Close(fd)
		}
		stack = nil
	}
	defer closeAll()
	parts := strings.Split(rel, "/")
	for links := 0; len(parts) > 0; {
		c := parts[0]
		parts = parts[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if n := len(stack); n > 0 {
				unix.Close(stack[n-1])
				stack = stack[:n-1]
			}
			continue
		}
		fd, err := unix.Openat(cur(), c, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if create && errors.Is(err, unix.ENOENT) {
			if err := unix.Mkdirat(cur(), c, 0o755); err != nil && !errors.Is(err, unix.EEXIST) {
				return -1, err
			}
			fd, err = unix.Openat(cur(), c, unix.O_PATH|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		}
		if err != nil {
			return -1, err
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			return -1, err
		}
		switch st.Mode & unix.S_IFMT {
		case unix.S_IFDIR:
			stack = append(stack, fd)
		case unix.S_IFLNK:
			unix.Close(fd)
			if links++; links > maxLinks {
				return -1, unix.ELOOP
			}
			target, err := readlinkat(cur(), c)
			if err != nil {
				return -1, err
			}
			if strings.HasPrefix(target, "/") {
				closeAll()
			}
			parts = append(strings.Split(target, "/"), parts...)
		default:
			unix.Close(fd)
			return -1, unix.ENOTDIR
		}
	}
	if len(stack) == 0 {
		return unix.FcntlInt(uintptr(r.fd), unix.F_DUPFD_CLOEXEC, 0)
	}
	fd := stack[len(stack)-1]
	stack = stack[:len(stack)-1]
	return fd, nil
}

func readlinkat(dirfd int, name string) (string, error) {
	buf := make([]byte, unix.PathMax)
	n, err := unix.Readlinkat(dirfd, name, buf)
	if err != nil {
		return "", err
	}
	return string(buf[:n]), nil
}

// mkdirAll opens directory rel below the root, making what is missing:
// the lookup (openat2) finds it in one call when it exists, else the walk
// makes each missing directory where resolution inside the root leads.
func (r *root) mkdirAll(rel string) (int, error) {
	fd, err := r.openDir(rel)
	if !errors.Is(err, unix.ENOENT) {
		return fd, err
	}
	if fd, err = r.walk(rel, true); err != nil {
		return -1, &os.PathError{Op: "mkdir", Path: rel, Err: err}
	}
	return fd, nil
}

// removeAll removes name in dirfd without following it: a file or link is
// unlinked, a directory emptied and removed.
func removeAll(dirfd int, name string) error {
	err := unix.Unlinkat(dirfd, name, 0)
	if err == nil || errors.Is(err, unix.ENOENT) {
		return nil
	}
	if !errors.Is(err, unix.EISDIR) {
		return &os.PathError{Op: "unlink", Path: name, Err: err}
	}
	if err := emptyDir(dirfd, name, func(string) bool { return true }); err != nil {
		return err
	}
	if err := unix.Unlinkat(dirfd, name, unix.AT_REMOVEDIR); err != nil {
		return &os.PathError{Op: "rmdir", Path: name, Err: err}
	}
	return nil
}

// emptyDir removes the children of dirfd/name that drop says to.
func emptyDir(dirfd int, name string, drop func(child string) bool) error {
	fd, err := unix.Openat(dirfd, name, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: name, Err: err}
	}
	d := os.NewFile(uintptr(fd), name)
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return err
	}
	for _, n := range names {
		if drop(n) {
			if err := removeAll(fd, n); err != nil {
				return err
			}
		}
	}
	return nil
}
