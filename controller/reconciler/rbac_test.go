package reconciler

import (
	"os"
	"sort"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// grants expands a ClusterRole's rules to group/resource:verb.
func grants(t *testing.T, rules []rbacv1.PolicyRule) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range rules {
		if len(r.ResourceNames) > 0 || len(r.NonResourceURLs) > 0 {
			t.Errorf("rule %v: resourceNames and nonResourceURLs are not what the controller needs", r)
		}
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					if g == "*" || res == "*" || v == "*" {
						t.Errorf("wildcard in %v: least privilege means naming what is used", r)
					}
					if res == "secrets" {
						t.Errorf("the controller never reads Secrets: %v", r)
					}
					out[groupResource(g, res)+":"+v] = true
				}
			}
		}
	}
	return out
}

// TestClusterRoleIsExactlyPermissions: controller/config's ClusterRole
// grants exactly what Permissions declares: a missing grant fails (the
// controller would be forbidden), an extra one fails (least privilege).
func TestClusterRoleIsExactlyPermissions(t *testing.T) {
	b, err := os.ReadFile("../config/rbac/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(b, &role); err != nil {
		t.Fatal(err)
	}
	granted := grants(t, role.Rules)
	declared := map[string]bool{}
	for _, p := range Permissions {
		for _, v := range p.Verbs {
			declared[groupResource(p.Group, p.Resource)+":"+v] = true
		}
	}
	var missing, extra []string
	for k := range declared {
		if !granted[k] {
			missing = append(missing, k)
		}
	}
	for k := range granted {
		if !declared[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 {
		t.Errorf("controller/config/rbac/role.yaml lacks what the controller does (Permissions): %s", strings.Join(missing, ", "))
	}
	if len(extra) > 0 {
		t.Errorf("controller/config/rbac/role.yaml grants what the controller does not do (not in Permissions): %s", strings.Join(extra, ", "))
	}
}
