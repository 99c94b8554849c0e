package events

import (
	"bytes"
	"os"
	"sort"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestRoleIsExactlyPermissions: controller/config/rbac/events_role.yaml
// grants exactly Permissions, to the controller's ServiceAccount.
func TestRoleIsExactlyPermissions(t *testing.T) {
	b, err := os.ReadFile("../../config/rbac/events_role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	granted, bound := map[string]bool{}, false
	for _, doc := range bytes.Split(b, []byte("\n---")) {
		var probe struct{ Kind string }
		if err := yaml.Unmarshal(doc, &probe); err != nil {
			t.Fatal(err)
		}
		switch probe.Kind {
		case "ClusterRole":
			var r rbacv1.ClusterRole
			if err := yaml.UnmarshalStrict(doc, &r); err != nil {
				t.Fatal(err)
			}
			if r.Name != Role {
				t.Errorf("ClusterRole %s, want %s", r.Name, Role)
			}
			for _, rule := range r.Rules {
				for _, g := range rule.APIGroups {
					for _, res := range rule.Resources {
						for _, v := range rule.Verbs {
							granted[g+"/"+res+":"+v] = true
						}
					}
				}
			}
		case "ClusterRoleBinding":
			var rb rbacv1.ClusterRoleBinding
			if err := yaml.UnmarshalStrict(doc, &rb); err != nil {
				t.Fatal(err)
			}
			bound = rb.RoleRef.Name == Role && len(rb.Subjects) == 1 && rb.Subjects[0].Name == "kiln-controller" && rb.Subjects[0].Namespace == "kiln"
		default:
			t.Errorf("unexpected kind %q", probe.Kind)
		}
	}
	if !bound {
		t.Error("no ClusterRoleBinding of " + Role + " to kiln/kiln-controller")
	}
	declared := map[string]bool{}
	for _, p := range Permissions {
		for _, v := range p.Verbs {
			declared[p.Group+"/"+p.Resource+":"+v] = true
		}
	}
	for _, k := range diff(declared, granted) {
		t.Errorf("events_role.yaml does not grant %s", k)
	}
	for _, k := range diff(granted, declared) {
		t.Errorf("events_role.yaml grants %s, which Permissions does not declare", k)
	}
}

// TestEveryPermissionIsUsed: every declared permission was needed by some
// call of the reconciler tests (run with them; skipped alone).
func TestEveryPermissionIsUsed(t *testing.T) {
	t.Run("reconcile", func(t *testing.T) {
		TestReconcileEventSource(t)
		TestReconcileTrigger(t)
		TestBusUsers(t)
	})
	used.Lock()
	defer used.Unlock()
	declared := map[string]bool{}
	for _, p := range Permissions {
		for _, v := range p.Verbs {
			declared[p.Group+"/"+p.Resource+":"+v] = true
		}
	}
	// watch is the informers' (not a client call); list is recorded for
	// every read.
	for k := range declared {
		if !used.m[k] {
			t.Errorf("Permissions declares %s, which no reconciler call needed", k)
		}
	}
}

func diff(a, b map[string]bool) []string {
	var out []string
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}
