package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// outsidePaths are created outside the state dir by the kubelet, containerd
// and the CNI plugins whatever they are told. Owned: only this node's
// components write there, so Down removes the whole path if it was absent
// before Up. Shared: other tools use them too (podman's CNI networks,
// `ip netns`), so Down removes only empty directories there.
var (
	ownedOutsidePaths  = []string{"/run/containerd", "/opt/containerd", "/run/nri", "/var/lib/kubelet", "/var/log/containers", "/var/log/pods"}
	sharedOutsidePaths = []string{"/run/netns", "/var/lib/cni"}
)

func absentPaths() []string {
	var out []string
	for _, p := range append(append([]string{}, ownedOutsidePaths...), sharedOutsidePaths...) {
		if _, err := os.Lstat(p); errors.Is(err, fs.ErrNotExist) {
			out = append(out, p)
		}
	}
	return out
}

// cniCacheDir is where libcni caches results whatever it is told.
const cniCacheDir = "/var/lib/cni"

// removeOutside removes what the node left outside the state dir: its CNI
// results always, and the paths that were absent before Up.
func removeOutside(absent []string) error {
	var errs []error
	removeCNIResults(cniCacheDir)
	for _, p := range absent {
		owned := false
		for _, o := range ownedOutsidePaths {
			owned = owned || o == p
		}
		if owned {
			if err := os.RemoveAll(p); err != nil {
				errs = append(errs, fmt.Errorf("cluster: removing %s: %w", p, err))
			}
			continue
		}
		pruneEmptyDirs(p)
	}
	return errors.Join(errs...)
}

// removeCNIResults removes the CNI results cached for the node's pods
// under <root>/results: "kiln-<sandbox>-<if>" of its network and
// "cni-loopback-<sandbox>-lo" of containerd's loopback for the same
// sandboxes. The pods are killed, not torn down through CNI DEL, so
// nothing else removes them; results of other networks stay.
func removeCNIResults(root string) {
	dir := filepath.Join(root, "results")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), "kiln-")
		if !ok {
			continue
		}
		i := strings.LastIndexByte(rest, '-')
		if i <= 0 {
			continue
		}
		os.Remove(filepath.Join(dir, e.Name()))
		os.Remove(filepath.Join(dir, "cni-loopback-"+rest[:i]+"-lo"))
	}
}

// pruneEmptyDirs removes the empty directories of a tree, deepest first.
func pruneEmptyDirs(root string) {
	for _, d := range dirsDeepestFirst(root) {
		os.Remove(d) // fails on non-empty: left as is
	}
}

// dirsDeepestFirst lists root and the directories below it, children
// before their parents.
func dirsDeepestFirst(root string) []string {
	var dirs []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			dirs = append(dirs, p)
		}
		return nil
	})
	for i, j := 0, len(dirs)-1; i < j; i, j = i+1, j-1 {
		dirs[i], dirs[j] = dirs[j], dirs[i]
	}
	return dirs
}
