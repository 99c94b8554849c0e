package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
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
	if st, err := os.Stat(p); err != nil || !st.Mode().IsRegular() {
		return "/proc/self/exe"
	}
	return p
}

// checkBuildID refuses a helper started by another build of kiln.
func checkBuildID(id string) error {
	if id != BuildID {
		exe, _ := os.Executable()
		return fmt.Errorf("kiln sandbox: %s is from another build of kiln (build %q, kiln's %q): install kiln and %s from the same build (make build)", exe, BuildID, id, HelperBinary)
	}
	return nil
}
