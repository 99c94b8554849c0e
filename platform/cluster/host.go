package cluster

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
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

// removeOutside removes what the node left outside the state dir among
// the paths that were absent before Up.
func removeOutside(absent []string) error {
	var errs []error
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
		removeCNIResults(p)
		pruneEmptyDirs(p)
	}
	return errors.Join(errs...)
}

// removeCNIResults removes the CNI results cached for the node's network
// ("kiln-<container>-<if>" under <root>/results): the node's pods are
// killed, not torn down through CNI DEL, so nothing else removes them.
func removeCNIResults(root string) {
	m, _ := filepath.Glob(filepath.Join(root, "results", "kiln-*"))
	for _, p := range m {
		os.Remove(p)
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

// run runs a host tool and returns its combined output.
func run(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("cluster: %s %s: %w: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

func linkExists(name string) bool {
	_, err := os.Stat(filepath.Join("/sys/class/net", name))
	return err == nil
}

// ensureNodeAddress puts NodeIP on NodeIface, a bridge with no ports: this
// kernel has no dummy driver (and no modules), and a port-less bridge is
// just as good a home for a local address.
func ensureNodeAddress() error {
	if !linkExists(NodeIface) {
		if _, err := run("ip", "link", "add", NodeIface, "type", "bridge"); err != nil {
			return err
		}
	}
	out, err := run("ip", "-o", "addr", "show", "dev", NodeIface)
	if err != nil {
		return err
	}
	if !strings.Contains(out, " "+NodeIP+"/32") {
		if _, err := run("ip", "addr", "add", NodeIP+"/32", "dev", NodeIface); err != nil {
			return err
		}
	}
	_, err = run("ip", "link", "set", NodeIface, "up")
	return err
}

// removeLinks deletes the veths attached to the pod bridge, the bridge and
// kiln0.
func removeLinks() error {
	var errs []error
	if linkExists(bridgeIface) {
		ents, _ := os.ReadDir(filepath.Join("/sys/class/net", bridgeIface, "brif"))
		for _, e := range ents {
			if _, err := run("ip", "link", "del", e.Name()); err != nil && linkExists(e.Name()) {
				errs = append(errs, err)
			}
		}
	}
	for _, l := range []string{bridgeIface, NodeIface} {
		if linkExists(l) {
			if _, err := run("ip", "link", "del", l); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// mountsUnder lists the mount points at or below dir, deepest first.
func mountsUnder(dir string) ([]string, error) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 {
			continue
		}
		mp := unescapeMount(fields[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.Slice(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out, sc.Err()
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// unmountAll unmounts everything at or below dir (the kubelet's bind mount
// of its root dir, pod volumes, containerd's overlays and the pod network
// namespaces), deepest first, lazily when busy.
func unmountAll(dir string) error {
	for round := 0; round < 5; round++ {
		mps, err := mountsUnder(dir)
		if err != nil {
			return fmt.Errorf("cluster: reading mounts: %w", err)
		}
		if len(mps) == 0 {
			return nil
		}
		for _, mp := range mps {
			if err := unix.Unmount(mp, 0); err != nil {
				unix.Unmount(mp, unix.MNT_DETACH)
			}
		}
	}
	mps, _ := mountsUnder(dir)
	if len(mps) > 0 {
		return fmt.Errorf("cluster: mounts left under %s: %s", dir, strings.Join(mps, ", "))
	}
	return nil
}

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

// iptablesTables are where the kubelet and kube-proxy add KUBE-* chains.
var iptablesTables = []string{"filter", "nat", "mangle"}

// KubeChains lists the KUBE-* chains left, as "iptables -t nat KUBE-X".
func KubeChains() []string {
	var out []string
	for _, bin := range []string{"iptables", "ip6tables"} {
		for _, t := range iptablesTables {
			s, err := exec.Command(bin, "-w", "-t", t, "-S").Output()
			if err != nil {
				continue
			}
			for _, line := range strings.Split(string(s), "\n") {
				if c, ok := strings.CutPrefix(line, "-N "); ok && strings.HasPrefix(c, "KUBE-") {
					out = append(out, bin+" -t "+t+" "+c)
				}
			}
		}
	}
	return out
}

// ours says whether an iptables -S rule (without "-A ") belongs to the
// node: it jumps to a KUBE-* chain, or the bridge plugin added it for the
// node's CNI network (comment `name: "kiln"`: its ipMasq rules, which stay
// when pods are killed without a CNI DEL).
func ours(rule string) bool {
	return strings.Contains(rule, "KUBE-") || strings.Contains(rule, `name: \"kiln\"`)
}

// removeKubeChains deletes every rule of a built-in chain that is the
// node's (see ours), then flushes and deletes the KUBE-* chains (what
// kube-proxy --cleanup leaves, e.g. the kubelet's KUBE-FIREWALL) and the
// CNI-* chains those rules jumped to.
func removeKubeChains() error {
	var errs []error
	for _, bin := range []string{"iptables", "ip6tables"} {
		for _, t := range iptablesTables {
			s, err := exec.Command(bin, "-w", "-t", t, "-S").Output()
			if err != nil {
				continue
			}
			var chains []string
			for _, line := range strings.Split(string(s), "\n") {
				if c, ok := strings.CutPrefix(line, "-N "); ok && strings.HasPrefix(c, "KUBE-") {
					chains = append(chains, c)
					continue
				}
				rule, ok := strings.CutPrefix(line, "-A ")
				if !ok || strings.HasPrefix(rule, "KUBE-") || strings.HasPrefix(rule, "CNI-") || !ours(rule) {
					continue
				}
				args := splitRule(rule)
				for i := 0; i+1 < len(args); i++ {
					if args[i] == "-j" && strings.HasPrefix(args[i+1], "CNI-") {
						chains = append(chains, args[i+1])
					}
				}
				if _, err := run(bin, append([]string{"-w", "-t", t, "-D"}, args...)...); err != nil {
					errs = append(errs, err)
				}
			}
			for _, c := range chains {
				run(bin, "-w", "-t", t, "-F", c)
			}
			for _, c := range chains {
				if _, err := run(bin, "-w", "-t", t, "-X", c); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// splitRule splits an iptables -S rule into arguments, keeping "quoted
// comments" whole.
func splitRule(s string) []string {
	var out []string
	var cur strings.Builder
	inQ, have := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && s[i+1] == '"':
			cur.WriteByte('"')
			have = true
			i++
		case c == '"':
			inQ, have = !inQ, true
		case c == ' ' && !inQ:
			if have {
				out = append(out, cur.String())
				cur.Reset()
				have = false
			}
		default:
			cur.WriteByte(c)
			have = true
		}
	}
	if have {
		out = append(out, cur.String())
	}
	return out
}

// NftTables lists the nftables tables ("ip filter"), for tests to compare.
func NftTables() []string { return nftTables() }

// nftTables lists the nftables tables ("ip filter").
func nftTables() []string {
	out, err := exec.Command("nft", "list", "tables").Output()
	if err != nil {
		return nil
	}
	var t []string
	for _, line := range strings.Split(string(out), "\n") {
		if s, ok := strings.CutPrefix(strings.TrimSpace(line), "table "); ok {
			t = append(t, s)
		}
	}
	return t
}

// removeNftTables deletes the kube-proxy/kubelet nftables tables and the
// tables iptables-nft created for the node (absent before Up) once they
// hold no rule.
func removeNftTables(existed []string) error {
	had := map[string]bool{}
	for _, t := range existed {
		had[t] = true
	}
	var errs []error
	for _, t := range nftTables() {
		fam, name, _ := strings.Cut(t, " ")
		if had[t] {
			continue
		}
		if !strings.HasPrefix(name, "kube") && nftRules(fam, name) != 0 {
			continue
		}
		if _, err := run("nft", "delete", "table", fam, name); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// nftRules counts the rules of a table (-1 when it cannot tell).
func nftRules(fam, name string) int {
	out, err := exec.Command("nft", "-j", "list", "table", fam, name).Output()
	if err != nil {
		return -1
	}
	var doc struct {
		Nftables []map[string]json.RawMessage `json:"nftables"`
	}
	if err := json.Unmarshal(out, &doc); err != nil {
		return -1
	}
	n := 0
	for _, o := range doc.Nftables {
		if _, ok := o["rule"]; ok {
			n++
		}
	}
	return n
}

// processesMatching lists the pids whose command line contains every one
// of the needles (the node's shims carry the node's containerd socket).
func processesMatching(needles ...string) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		ok := len(b) > 0
		for _, n := range needles {
			ok = ok && bytes.Contains(b, []byte(n))
		}
		if ok {
			out = append(out, pid)
		}
	}
	return out
}
