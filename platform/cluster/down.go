package cluster

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"kiln.dev/kiln/platform/registry"
)

// keptOnDown survive Down in the state dir: the PKI (so a kubeconfig
// stays valid across down/up) and the logs of the last run.
var keptOnDown = map[string]bool{"pki": true, "logs": true, "lock": true}

// Down stops the node and undoes everything Up did to the host; it goes on
// past failures and returns them all. Running it twice is harmless.
func Down(o Options) error {
	if o.Out == nil {
		o.Out = io.Discard
	}
	unlock, err := lockNode(o.Layout)
	if err != nil {
		return err
	}
	defer unlock()
	return down(o)
}

func down(o Options) error {
	t0 := time.Now()
	l := o.Layout
	s, err := loadState(l)
	if err != nil {
		return err
	}
	if s.Before == nil {
		// No Up recorded a host to restore: it changed nothing, and the
		// footprint-based cleanup below would only hit someone else's
		// Kubernetes.
		fmt.Fprintf(o.Out, "==> node %s is down (no state in %s): nothing to undo\n", nodeName, l.Dir)
		return nil
	}
	var errs []error
	do := func(what string, f func() error) {
		if err := step(o.Out, what, f); err != nil {
			errs = append(errs, err)
		}
	}
	comps := components(l, s)
	byName := map[string]component{}
	for _, c := range comps {
		byName[c.name] = c
	}
	stopOne := func(name string, grace time.Duration) func() error {
		return func() error { return stop(l, name, byName[name].bin, grace) }
	}
	if _, ok := byName[nodeRegistryName]; ok {
		do("stop the node registry", stopOne(nodeRegistryName, 10*time.Second))
	}
	do("stop kube-proxy", stopOne("kube-proxy", 10*time.Second))
	do("stop kubelet", stopOne("kubelet", 15*time.Second))
	// Pods: their processes sit in /kubepods; then the shims of this
	// node (they carry its containerd socket on their command line).
	do("kill pod processes and remove /kubepods cgroups", removeKubepods)
	do("stop containerd shims", func() error {
		var errs []error
		for _, pid := range processesMatching("containerd-shim-runc-v2", l.containerdSock()) {
			errs = append(errs, terminate(pid, 5*time.Second, "containerd shim"))
		}
		return errors.Join(errs...)
	})
	do("stop containerd", stopOne("containerd", 15*time.Second))
	do("stop kube-scheduler", stopOne("kube-scheduler", 10*time.Second))
	do("stop kube-controller-manager", stopOne("kube-controller-manager", 10*time.Second))
	do("stop kube-apiserver", stopOne("kube-apiserver", 20*time.Second))
	do("stop etcd", stopOne("etcd", 10*time.Second))
	do("unmount everything under "+l.Dir, func() error { return unmountAll(l.Dir) })
	do("remove /kubepods cgroups left", removeKubepods)
	do("remove iptables rules (kube-proxy --cleanup, KUBE-* chains)", func() error {
		var errs []error
		if kp := l.kubeBin("kube-proxy"); fileExists(kp) {
			cmd := exec.Command(kp, "--cleanup")
			cmd.Env = append(os.Environ(), "PATH="+l.hostPath())
			if out, err := cmd.CombinedOutput(); err != nil {
				errs = append(errs, fmt.Errorf("cluster: kube-proxy --cleanup: %w: %s", err, tailString(string(out), 5)))
			}
		}
		errs = append(errs, removeKubeChains())
		if s.Before != nil {
			errs = append(errs, removeNftTables(s.Before.NftTables))
		}
		return errors.Join(errs...)
	})
	do("remove "+bridgeIface+", its veths and "+NodeIface, removeLinks)
	if s.Before != nil {
		do("remove files the node left outside "+l.Dir, func() error { return removeOutside(s.Before.Absent) })
		do("restore sysctls", func() error { return restoreSysctls(s.Before.Sysctls, changedSysctls) })
		if s.Before.RegistryStarted && o.RegistryDir != "" {
			do("stop the registry Up started", func() error {
				if _, ok := registry.Running(o.RegistryDir); !ok {
					return nil
				}
				err := registry.Stop(o.RegistryDir, false)
				if errors.Is(err, registry.ErrNotServed) {
					return nil
				}
				return err
			})
		}
	}
	if len(errs) > 0 {
		fmt.Fprintf(o.Out, "==> down finished with errors in %s (state kept in %s)\n", time.Since(t0).Round(time.Millisecond), l.Dir)
		return errors.Join(errs...)
	}
	ents, _ := os.ReadDir(l.Dir)
	for _, e := range ents {
		if !keptOnDown[e.Name()] {
			if err := os.RemoveAll(filepath.Join(l.Dir, e.Name())); err != nil {
				errs = append(errs, fmt.Errorf("cluster: removing %s: %w", e.Name(), err))
			}
		}
	}
	fmt.Fprintf(o.Out, "==> node down in %s\n", time.Since(t0).Round(time.Millisecond))
	return errors.Join(errs...)
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func tailString(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
