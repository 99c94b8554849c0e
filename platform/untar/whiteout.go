package untar

import (
	"errors"
	"path"
	"strings"

	"golang.org/x/sys/unix"
)

const (
	whiteoutPrefix = ".wh."
	opaqueWhiteout = ".wh..wh..opq"
)

// whiteout applies dir/base, a whiteout entry: ".wh.NAME" removes NAME,
// ".wh..wh..opq" empties dir, both only of what lower layers left.
func (x *extraction) whiteout(dir, base string) error {
	x.stats.Whiteouts++
	dir = orDot(dir)
	fd, err := x.root.openDir(dir)
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR) {
		return nil // nothing below to hide
	}
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if base == opaqueWhiteout {
		return x.emptyLower(fd, ".", dir)
	}
	name := strings.TrimPrefix(base, whiteoutPrefix)
	if name == "" || name == "." || name == ".." || strings.HasPrefix(name, whiteoutPrefix) {
		x.stats.Skipped++ // ".wh..wh.plnk" and friends are aufs' own
		return nil
	}
	rel := path.Join(dir, name)
	if x.seen[rel] {
		return emptyLowerOf(x, fd, name, rel)
	}
	return removeAll(fd, name)
}

// emptyLowerOf hides lower-layer content under rel, which this archive
// itself wrote to: its own entries stay.
func emptyLowerOf(x *extraction, dirfd int, name, rel string) error {
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil || st.Mode&unix.S_IFMT != unix.S_IFDIR {
		return nil
	}
	return x.emptyLower(dirfd, name, rel)
}

// emptyLower removes the children of dirfd/name (rel in the root) that this
// archive did not write, keeping the directories it wrote into.
func (x *extraction) emptyLower(dirfd int, name, rel string) error {
	fd, err := unix.Openat(dirfd, name, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	var keep []string
	err = emptyDir(dirfd, name, func(child string) bool {
		if x.seen[path.Join(rel, child)] {
			keep = append(keep, child)
			return false
		}
		return true
	})
	if err != nil {
		return err
	}
	for _, child := range keep {
		if err := emptyLowerOf(x, fd, child, path.Join(rel, child)); err != nil {
			return err
		}
	}
	return nil
}
