package untar

import (
	"errors"
	"os"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

// OpenInRoot opens name, a path inside the directory dir (an extracted
// image), for reading, resolving symlinks as if dir were "/": how the host
// reads a file of a flattened image (say /cnb/run.toml) without a link in
// the image leading it to a host file.
func OpenInRoot(dir, name string) (*os.File, error) { return openInRoot(dir, name, false) }

func openInRoot(dir, name string, walkOnly bool) (*os.File, error) {
	rt, err := openRoot(dir, walkOnly)
	if err != nil {
		return nil, err
	}
	defer rt.close()
	rel, err := clean(name)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: name, Err: err}
	}
	fd, err := rt.openFile(rel)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path.Join(dir, rel), Err: err}
	}
	return os.NewFile(uintptr(fd), path.Join(dir, rel)), nil
}

// openFile opens rel read-only inside the root, following symlinks there.
func (r *root) openFile(rel string) (int, error) {
	if !r.walkOnly {
		how := unix.OpenHow{Flags: unix.O_RDONLY | unix.O_CLOEXEC, Resolve: inRoot}
		return unix.Openat2(r.fd, rel, &how)
	}
	for links := 0; ; links++ { // no openat2: resolve the last component by hand
		dir, base := path.Split(rel)
		parent, err := r.lookup(orDot(path.Clean("/" + dir)[1:]))
		if err != nil {
			return -1, err
		}
		fd, err := unix.Openat(parent, orDot(base), unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if !errors.Is(err, unix.ELOOP) || links >= maxLinks {
			unix.Close(parent)
			return fd, err
		}
		target, err := readlinkat(parent, base)
		unix.Close(parent)
		if err != nil {
			return -1, err
		}
		if !strings.HasPrefix(target, "/") {
			target = dir + target
		}
		rel = strings.TrimPrefix(path.Clean("/"+target), "/")
	}
}
