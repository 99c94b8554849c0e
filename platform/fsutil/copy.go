package fsutil

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// skipped are never copied into a build workspace.
var skipped = map[string]bool{".git": true, ".hg": true, ".svn": true}

// CopyTree copies src into dst (which must not exist or be empty), keeping
// modes and symlinks, and gives every copy to uid:gid.
func CopyTree(src, dst string, uid, gid int) error { return CopyTreeExcept(src, dst, uid, gid, nil) }

// CopyTreeExcept is CopyTree leaving out what skip names: rel is the
// slash-separated path under src, dir whether it is a directory (a skipped
// directory is not entered). A nil skip copies everything.
func CopyTreeExcept(src, dst string, uid, gid int, skip func(rel string, dir bool) bool) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if d.IsDir() && skipped[d.Name()] && rel != "." {
			return filepath.SkipDir
		}
		if skip != nil && rel != "." && skip(filepath.ToSlash(rel), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		target := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.MkdirAll(target, info.Mode().Perm()|0o700); err != nil {
				return err
			}
		case info.Mode()&os.ModeSymlink != 0:
			link, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
		case info.Mode().IsRegular():
			if err := CopyFile(p, target, info.Mode().Perm()); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s: cannot copy %s into the build workspace (not a file, directory or symlink)", p, info.Mode().Type())
		}
		return os.Lchown(target, uid, gid)
	})
}

// CopyFile copies the contents of src to dst (created with mode).
func CopyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// MkdirOwned creates dirs owned by uid:gid.
func MkdirOwned(uid, gid int, dirs ...string) error {
	for _, d := range dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		if err := os.Chown(d, uid, gid); err != nil {
			return err
		}
	}
	return nil
}

// ChownTree gives dir and everything below it to uid:gid.
func ChownTree(dir string, uid, gid int) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, uid, gid)
	})
}

// MakeReadable lets everyone read the files and enter the directories
// under dir. Symlinks and special files are left alone (never followed):
// only call it on trees no running process can change.
func MakeReadable(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			return os.Chmod(p, info.Mode().Perm()|0o555)
		case info.Mode().IsRegular():
			return os.Chmod(p, info.Mode().Perm()|0o444)
		}
		return nil
	})
}
