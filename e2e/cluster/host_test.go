package cluster

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"kiln.dev/kiln/platform/cluster"
)

// snapshot is what the test compares before Up and after Down.
type snapshot struct {
	sysctls    map[string]string
	processes  []string // node processes: command lines naming the state dir
	mounts     []string // under the state dir and /run/netns
	links      []string // cni0, kiln0, veths
	kubeChains []string
	kubepods   []string
	nftTables  []string
	outside    []string // paths the node may create outside its state dir, and CNI results
}

var watchedSysctls = []string{"kernel.panic", "kernel.panic_on_oops", "vm.overcommit_memory", "net.ipv4.ip_forward"}

func hostSnapshot(o cluster.Options) (snapshot, error) {
	s := snapshot{sysctls: map[string]string{}}
	for _, n := range watchedSysctls {
		b, err := os.ReadFile(filepath.Join("/proc/sys", strings.ReplaceAll(n, ".", "/")))
		if err != nil {
			return s, err
		}
		s.sysctls[n] = strings.TrimSpace(string(b))
	}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil || len(b) == 0 || e.Name() == fmt.Sprint(os.Getpid()) {
			continue
		}
		cmd := strings.ReplaceAll(string(b), "\x00", " ")
		if strings.Contains(cmd, o.Dir) || strings.Contains(cmd, "kube-node-v") || strings.Contains(cmd, "containerd-v") {
			s.processes = append(s.processes, e.Name()+": "+cmd)
		}
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return s, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fl := strings.Fields(sc.Text())
		if len(fl) > 4 && (strings.HasPrefix(fl[4], o.Dir) || strings.HasPrefix(fl[4], "/run/netns/")) {
			s.mounts = append(s.mounts, fl[4])
		}
	}
	links, _ := os.ReadDir("/sys/class/net")
	for _, l := range links {
		if n := l.Name(); n == "cni0" || n == cluster.NodeIface || strings.HasPrefix(n, "veth") {
			s.links = append(s.links, n)
		}
	}
	s.kubeChains = cluster.KubeChains()
	s.kubepods = cluster.KubepodsCgroups()
	s.nftTables = cluster.NftTables()
	for _, p := range []string{"/run/containerd", "/opt/containerd", "/run/nri", "/var/lib/kubelet", "/var/log/containers", "/var/log/pods", "/run/netns", "/var/lib/cni"} {
		if _, err := os.Lstat(p); err == nil {
			s.outside = append(s.outside, p)
		}
	}
	results, _ := filepath.Glob("/var/lib/cni/results/*")
	s.outside = append(s.outside, results...)
	return s, sc.Err()
}

func (a snapshot) diff(b snapshot) string {
	var out []string
	for k, v := range a.sysctls {
		if b.sysctls[k] != v {
			out = append(out, fmt.Sprintf("sysctl %s: %s before, %s after", k, v, b.sysctls[k]))
		}
	}
	for _, l := range []struct {
		what string
		x, y []string
	}{{"process", a.processes, b.processes}, {"mount", a.mounts, b.mounts}, {"link", a.links, b.links},
		{"iptables chain", a.kubeChains, b.kubeChains}, {"cgroup", a.kubepods, b.kubepods},
		{"nftables table", a.nftTables, b.nftTables}, {"path", a.outside, b.outside}} {
		had := map[string]bool{}
		for _, x := range l.x {
			had[x] = true
		}
		for _, y := range l.y {
			if !had[y] {
				out = append(out, l.what+" left: "+y)
			}
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}
