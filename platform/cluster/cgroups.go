package cluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupRoots are the cgroup v1 hierarchies (and the v2 one) of the host.
func cgroupRoots() []string {
	m, _ := filepath.Glob("/sys/fs/cgroup/*")
	var out []string
	for _, p := range m {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			out = append(out, p)
		}
	}
	return out
}

// removeKubepods kills what is left in the /kubepods cgroups of every
// hierarchy (the pods' processes) and removes those cgroups, deepest first.
func removeKubepods() error {
	var errs []error
	for _, root := range cgroupRoots() {
		top := filepath.Join(root, "kubepods")
		if _, err := os.Stat(top); err != nil {
			continue
		}
		for _, d := range dirsDeepestFirst(top) {
			if err := removeCgroup(d); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

func removeCgroup(dir string) error {
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, _ := os.ReadFile(filepath.Join(dir, "cgroup.procs"))
		for _, f := range strings.Fields(string(b)) {
			if pid, err := strconv.Atoi(f); err == nil && pid > 1 {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
		err := os.Remove(dir)
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("cluster: removing cgroup %s: %w", dir, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// KubepodsCgroups lists the /kubepods cgroups left in any hierarchy.
func KubepodsCgroups() []string {
	var out []string
	for _, root := range cgroupRoots() {
		if _, err := os.Stat(filepath.Join(root, "kubepods")); err == nil {
			out = append(out, filepath.Join(root, "kubepods"))
		}
	}
	return out
}

// foreignKubernetes says why the node cannot come up when the host already
// carries another Kubernetes' footprint: /kubepods cgroups or KUBE-*
// iptables chains, which Down removes wholesale.
func foreignKubernetes() error {
	var found []string
	found = append(found, KubepodsCgroups()...)
	found = append(found, KubeChains()...)
	if len(found) == 0 {
		return nil
	}
	if len(found) > 4 {
		found = append(found[:4], "…")
	}
	return fmt.Errorf("cluster: this host already runs another Kubernetes or its leftovers (%s): kiln cluster's down removes every /kubepods cgroup and KUBE-* chain, so it will not share a host with them; stop that Kubernetes (or run its cleanup, e.g. kube-proxy --cleanup) first", strings.Join(found, ", "))
}
