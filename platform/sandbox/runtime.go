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

var (
	hideCgroupsOnce sync.Once
	hideCgroupsErr  error
)

// clonedBinaryEnv tells runc its binary cannot be overwritten through
// /proc/self/exe (CVE-2019-5736), so runc init need not copy its 10 MB
// binary into a sealed memfd and re-execute it on every start. runc checks
// the claim: it accepts it only for a binary on a read-only mount.
const clonedBinaryEnv = "_LIBCONTAINER_CLONED_BINARY"

// readOnlyRunc binds the runc binary read-only at dir/runc, in the helper's
// own mount namespace; "" if it cannot (runc then copies itself, as usual).
// The caller unmounts it.
func readOnlyRunc(path, dir string) string {
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return ""
	}
	target := filepath.Join(dir, "runc")
	f, err := os.OpenFile(target, os.O_CREATE|os.O_RDONLY, 0o555)
	if err != nil {
		return ""
	}
	f.Close()
	if unix.Mount(real, target, "", unix.MS_BIND, "") != nil {
		return ""
	}
	if unix.Mount("", target, "", unix.MS_BIND|unix.MS_REMOUNT|unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV, "") != nil {
		unix.Unmount(target, unix.MNT_DETACH)
		return ""
	}
	return target
}

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
