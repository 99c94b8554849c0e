package cluster

import (
	"encoding/json"
	"errors"
	"os/exec"
	"strings"
)

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
