package sandbox

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"

	"golang.org/x/sys/unix"
)

// RuntimeEnv picks the OCI runtime: runc or crun (a name on PATH or a path).
// Default: runc when installed, else crun. Measured in kiln's helper on the
// 2-core VM (TestRuntimeStartTimes, start to exit of a static program):
// runc 1.1.5 18-20 ms median, crun 1.8.1 75-83 ms; and crun remounts the
// root without the overlay's nosuid,nodev (no_new_privs and the user
// namespace still stop setuid binaries, but runc keeps both).
const RuntimeEnv = "KILN_RUNTIME"

// ociRuntime is the OCI runtime binary kiln drives.
type ociRuntime struct {
	Name string // "crun" or "runc"
	Path string
}

func findRuntime() (ociRuntime, error) {
	want := os.Getenv(RuntimeEnv)
	candidates := []string{"runc", "crun"}
	if want != "" {
		candidates = []string{want}
	}
	for _, c := range candidates {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		name := filepath.Base(p)
		if name != "crun" && name != "runc" {
			return ociRuntime{}, fmt.Errorf("sandbox: %s=%s: kiln drives crun or runc, not %s", RuntimeEnv, want, name)
		}
		return ociRuntime{Name: name, Path: p}, nil
	}
	if want != "" {
		return ociRuntime{}, fmt.Errorf("sandbox: %s=%s: not found", RuntimeEnv, want)
	}
	return ociRuntime{}, fmt.Errorf("sandbox: no OCI runtime found: kiln runs builds and functions under runc or crun; install one (apt-get install runc)")
}

// runArgs runs the bundle in the foreground (the runtime proxies signals to
// the container's first process and exits with its status).
func (r ociRuntime) runArgs(stateRoot, bundle, id, pidFile string) []string {
	args := []string{"--root", stateRoot}
	if r.Name == "crun" {
		args = append(args, "--cgroup-manager=disabled")
	}
	return append(args, "run", "--bundle", bundle, "--pid-file", pidFile, id)
}

var hideCgroupsOnce sync.Once
var hideCgroupsErr error

// prepare adapts the helper's mount namespace to the runtime. crun refuses
// to start on a host with cgroup v1 and v2 mounted together (hybrid) even
// with its cgroup manager disabled; rootless containers get no cgroups here
// anyway, so the helper covers /sys/fs/cgroup with an empty tmpfs, in its
// own mount namespace only.
func (r ociRuntime) prepare() error {
	if r.Name != "crun" {
		return nil
	}
	hideCgroupsOnce.Do(func() {
		if _, err := os.Stat("/sys/fs/cgroup/unified"); err != nil {
			return // pure v1 or pure v2: nothing to hide
		}
		if err := unix.Mount("kiln-no-cgroups", "/sys/fs/cgroup", "tmpfs", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC|unix.MS_RDONLY, "size=4k"); err != nil {
			hideCgroupsErr = fmt.Errorf("sandbox: hiding the hybrid cgroup hierarchy from crun: %w (set %s=runc)", err, RuntimeEnv)
		}
	})
	return hideCgroupsErr
}
