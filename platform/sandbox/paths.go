package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// PrepareDirs creates dirs (and missing parents below the first existing
// one) owned by container root, so the helper can write into them: a no-op
// change of owner for a normal user (container root is that user), a chown
// to the mapped range for root.
func PrepareDirs(ids IDMap, dirs ...string) error {
	for _, d := range dirs {
		var missing []string
		for p := filepath.Clean(d); ; p = filepath.Dir(p) {
			if _, err := os.Lstat(p); err == nil || p == "/" || p == "." {
				break
			}
			missing = append(missing, p)
		}
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		if ids.Rootless {
			continue
		}
		for _, p := range append(missing, d) {
			if err := chownIfNeeded(p, ids.HostUID(0), ids.HostGID(0)); err != nil {
				return err
			}
		}
	}
	return nil
}

func chownIfNeeded(p string, uid, gid int) error {
	st, err := os.Lstat(p)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if s := st.Sys().(*syscall.Stat_t); int(s.Uid) == uid && int(s.Gid) == gid {
		return nil
	}
	if err := os.Lchown(p, uid, gid); err != nil {
		return fmt.Errorf("sandbox: giving %s to container root (host uid %d): %w", p, uid, err)
	}
	return nil
}

// exposedPath is a directory the helper must reach at its own path, and
// the ancestor its host uid cannot search (e.g. /root, mode 0700), if any.
type exposedPath struct {
	Path  string
	Cover string
}

// exposedPaths works out, for root, which ancestors of paths the helper
// cannot search. As a normal user the helper has the user's own access.
func exposedPaths(ids IDMap, paths []string) ([]exposedPath, bool, error) {
	var out []exposedPath
	covers := false
	for _, p := range paths {
		p = filepath.Clean(p)
		if !filepath.IsAbs(p) {
			return nil, false, fmt.Errorf("sandbox: %s is not an absolute path", p)
		}
		e := exposedPath{Path: p}
		if !ids.Rootless {
			var err error
			if e.Cover, err = closedAncestor(p); err != nil {
				return nil, false, err
			}
			covers = covers || e.Cover != ""
		}
		out = append(out, e)
	}
	return out, covers, nil
}

// closedAncestor is the first directory above p that others may not search.
func closedAncestor(p string) (string, error) {
	parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for i := 0; i < len(parts); i++ {
		a := "/" + strings.Join(parts[:i], "/")
		st, err := os.Stat(a)
		if err != nil {
			return "", fmt.Errorf("sandbox: %w", err)
		}
		if st.Mode().Perm()&0o001 == 0 {
			if a == "/" {
				return "", fmt.Errorf("sandbox: / is not searchable by other users: the helper cannot reach %s", p)
			}
			return a, nil
		}
	}
	return "", nil
}

// coverClosedAncestors runs as root, before the helper starts kiln, in the
// helper's mount namespace (joined from one OS thread, which then ends): it
// takes a detached copy of each path, covers its closed ancestor with an
// empty tmpfs and attaches the copy at the same path inside the tmpfs. The
// helper then reaches the store, and nothing else below the ancestor.
func coverClosedAncestors(pid int, paths []exposedPath) error {
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the Go runtime ends the thread with the goroutine.
		runtime.LockOSThread()
		errc <- coverIn(pid, paths)
	}()
	return <-errc
}

func coverIn(pid int, paths []exposedPath) error {
	if err := unix.Unshare(unix.CLONE_FS); err != nil {
		return fmt.Errorf("sandbox: preparing the helper's mounts: %w", err)
	}
	ns, err := unix.Open(fmt.Sprintf("/proc/%d/ns/mnt", pid), unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("sandbox: preparing the helper's mounts: %w", err)
	}
	defer unix.Close(ns)
	if err := unix.Setns(ns, unix.CLONE_NEWNS); err != nil {
		return fmt.Errorf("sandbox: joining the helper's mount namespace: %w", err)
	}
	trees := map[string]int{}
	defer func() {
		for _, fd := range trees {
			unix.Close(fd)
		}
	}()
	for _, e := range paths {
		if e.Cover == "" {
			continue
		}
		fd, err := unix.OpenTree(unix.AT_FDCWD, e.Path, unix.OPEN_TREE_CLONE|unix.OPEN_TREE_CLOEXEC|unix.AT_RECURSIVE)
		if err != nil {
			return fmt.Errorf("sandbox: copying the mount of %s: %w", e.Path, err)
		}
		trees[e.Path] = fd
	}
	covered := map[string]bool{}
	for _, e := range paths {
		if e.Cover == "" || covered[e.Cover] {
			continue
		}
		if err := unix.Mount("kiln-cover", e.Cover, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "mode=0755,size=64k"); err != nil {
			return fmt.Errorf("sandbox: covering %s: %w", e.Cover, err)
		}
		covered[e.Cover] = true
	}
	for p, fd := range trees {
		if err := os.MkdirAll(p, 0o755); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		if err := unix.MoveMount(fd, "", unix.AT_FDCWD, p, unix.MOVE_MOUNT_F_EMPTY_PATH); err != nil {
			return fmt.Errorf("sandbox: attaching %s for the helper: %w", p, err)
		}
	}
	return nil
}
