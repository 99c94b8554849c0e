package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"
)

// BuildID identifies one build of kiln and its helper binary: the Makefile
// stamps the same value into both (-ldflags -X
// kiln.dev/kiln/platform/sandbox.BuildID=...). Builds without it (go build,
// go install, tests) re-execute themselves as the helper.
var BuildID string

// HelperBinary is the helper's own small program (platform/sandbox/kiln-sandbox),
// installed next to kiln. kiln is a large binary (Kubernetes API types, the
// controller's renderers): starting it costs ~40-70 ms of package
// initialisation on a loaded 2-core VM, paid again by every helper; the
// helper program links only the sandbox and its jobs and starts in ~10 ms.
const HelperBinary = "kiln-sandbox"

// helperPath is the program Enter starts as the helper: HelperBinary next
// to kiln when kiln carries a BuildID (the helper refuses another build's
// ID, so a stale copy fails loudly instead of speaking an older protocol),
// else kiln itself.
func helperPath() string {
	if BuildID == "" {
		return "/proc/self/exe"
	}
	exe, err := os.Executable()
	if err != nil {
		return "/proc/self/exe"
	}
	p := filepath.Join(filepath.Dir(exe), HelperBinary)
	if !trustedBeside(exe, p) {
		return "/proc/self/exe"
	}
	return p
}

// trustedBeside reports whether helper may be run in place of kiln's own
// exe: a regular file owned by kiln's owner (or root), writable by nobody
// else, in a directory nobody else can swap it in (kiln installed in a
// world-writable place such as /tmp must not run what another user put
// beside it).
func trustedBeside(exe, helper string) bool {
	owner := func(p string) (uint32, os.FileMode, bool) {
		fi, err := os.Stat(p)
		if err != nil {
			return 0, 0, false
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			return 0, 0, false
		}
		return st.Uid, fi.Mode(), true
	}
	kilnUID, _, ok1 := owner(exe)
	uid, mode, ok2 := owner(helper)
	dirUID, dirMode, ok3 := owner(filepath.Dir(helper))
	switch {
	case !ok1 || !ok2 || !ok3 || !mode.IsRegular():
		return false
	case uid != kilnUID && uid != 0, mode.Perm()&0o022 != 0:
		return false
	case dirUID != kilnUID && dirUID != 0, dirMode.Perm()&0o022 != 0:
		return false
	}
	return true
}

// checkBuildID refuses a helper started by another build of kiln.
func checkBuildID(id string) error {
	if id != BuildID {
		exe, _ := os.Executable()
		return fmt.Errorf("kiln sandbox: %s is from another build of kiln (build %q, kiln's %q): install kiln and %s from the same build (make build)", exe, BuildID, id, HelperBinary)
	}
	return nil
}
