package cluster

import (
	"reflect"
	"testing"
)

func TestSplitRule(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{"INPUT -j KUBE-FIREWALL", []string{"INPUT", "-j", "KUBE-FIREWALL"}},
		{`OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES`,
			[]string{"OUTPUT", "-m", "comment", "--comment", "kubernetes service portals", "-j", "KUBE-SERVICES"}},
		{`FORWARD -m comment --comment "" -j KUBE-FORWARD`, []string{"FORWARD", "-m", "comment", "--comment", "", "-j", "KUBE-FORWARD"}},
		{"  A   B ", []string{"A", "B"}},
		{`POSTROUTING -s 10.244.0.5/32 -m comment --comment "name: \"kiln\" id: \"ab\"" -j CNI-0f1`,
			[]string{"POSTROUTING", "-s", "10.244.0.5/32", "-m", "comment", "--comment", `name: "kiln" id: "ab"`, "-j", "CNI-0f1"}},
	} {
		if got := splitRule(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("splitRule(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestOurs(t *testing.T) {
	for rule, want := range map[string]bool{
		"INPUT -j KUBE-FIREWALL": true,
		`POSTROUTING -s 10.244.0.5/32 -m comment --comment "name: \"kiln\" id: \"ab\"" -j CNI-0f1`:  true,
		`POSTROUTING -s 10.88.0.5/32 -m comment --comment "name: \"podman\" id: \"ab\"" -j CNI-0f1`: false,
		"FORWARD -j DOCKER": false,
	} {
		if got := ours(rule); got != want {
			t.Errorf("ours(%q) = %v, want %v", rule, got, want)
		}
	}
}
