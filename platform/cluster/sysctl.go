package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// changedSysctls are what the node changes on the host: the kubelet sets
// the first three at start (an oops would then reboot the shared VM), the
// bridge plugin turns on forwarding. Up records them; Down writes them back.
var changedSysctls = []string{"kernel.panic", "kernel.panic_on_oops", "vm.overcommit_memory", "net.ipv4.ip_forward"}

// kubeletSysctls are the ones Up restores as soon as the kubelet has set
// them (it does so once, at start): the node needs none of them to run.
var kubeletSysctls = []string{"kernel.panic", "kernel.panic_on_oops", "vm.overcommit_memory"}

func sysctlPath(name string) string {
	return filepath.Join("/proc/sys", strings.ReplaceAll(name, ".", "/"))
}

func readSysctl(name string) (string, error) {
	b, err := os.ReadFile(sysctlPath(name))
	if err != nil {
		return "", fmt.Errorf("cluster: reading sysctl %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

func writeSysctl(name, v string) error {
	if err := os.WriteFile(sysctlPath(name), []byte(v+"\n"), 0o644); err != nil {
		return fmt.Errorf("cluster: setting sysctl %s=%s: %w", name, v, err)
	}
	return nil
}

// readSysctls reads names into a map.
func readSysctls(names []string) (map[string]string, error) {
	m := map[string]string{}
	for _, n := range names {
		v, err := readSysctl(n)
		if err != nil {
			return nil, err
		}
		m[n] = v
	}
	return m, nil
}

// restoreSysctls writes back the recorded values of names that differ.
func restoreSysctls(rec map[string]string, names []string) error {
	for _, n := range names {
		want, ok := rec[n]
		if !ok {
			continue
		}
		if got, err := readSysctl(n); err == nil && got == want {
			continue
		}
		if err := writeSysctl(n, want); err != nil {
			return err
		}
	}
	return nil
}
