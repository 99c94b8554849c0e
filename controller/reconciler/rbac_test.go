package reconciler

import (
	"bytes"
	"os"
	"sort"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// readDocs strictly decodes every YAML document of a controller/config/rbac
// file into a new T.
func readDocs[T any](t *testing.T, name string) []*T {
	t.Helper()
	b, err := os.ReadFile("../config/rbac/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var out []*T
	for _, doc := range bytes.Split(b, []byte("\n---")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		v := new(T)
		if err := yaml.UnmarshalStrict(doc, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out = append(out, v)
	}
	return out
}

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

// TestClusterRolesAreExactlyPermissions: controller/config's ClusterRoles
// grant exactly what Permissions declares, role by role: a missing grant
// fails (the controller would be forbidden), an extra one fails (least
// privilege).
func TestClusterRolesAreExactlyPermissions(t *testing.T) {
	roles := map[string]map[string]bool{}
	for _, r := range readDocs[rbacv1.ClusterRole](t, "role.yaml") {
		if r.Kind != "ClusterRole" {
			t.Fatalf("role.yaml: %s %s; want ClusterRoles", r.Kind, r.Name)
		}
		roles[r.Name] = grants(t, r.Rules)
	}
	declared := map[string]map[string]bool{}
	for _, p := range Permissions {
		if declared[p.Role] == nil {
			declared[p.Role] = map[string]bool{}
		}
		for _, v := range p.Verbs {
			declared[p.Role][groupResource(p.Group, p.Resource)+":"+v] = true
		}
	}
	for _, name := range []string{RoleController, RoleChildren, RoleGatewayConfig} {
		granted, want := roles[name], declared[name]
		if granted == nil {
			t.Errorf("role.yaml has no ClusterRole %s", name)
			continue
		}
		var missing, extra []string
		for k := range want {
			if !granted[k] {
				missing = append(missing, k)
			}
		}
		for k := range granted {
			if !want[k] {
				extra = append(extra, k)
			}
		}
		sort.Strings(missing)
		sort.Strings(extra)
		if len(missing) > 0 {
			t.Errorf("controller/config/rbac/role.yaml: ClusterRole %s lacks what the controller does (Permissions): %s", name, strings.Join(missing, ", "))
		}
		if len(extra) > 0 {
			t.Errorf("controller/config/rbac/role.yaml: ClusterRole %s grants what the controller does not do (not in Permissions): %s", name, strings.Join(extra, ", "))
		}
	}
	if len(roles) != 3 || len(declared) != 3 {
		t.Errorf("role.yaml has %d ClusterRoles, Permissions %d roles; want the three", len(roles), len(declared))
	}
}

// TestRolesAreBound: each ClusterRole is bound to the controller's
// ServiceAccount, the way its scope says: cluster-wide, or in the Gateway
// config namespace.
func TestRolesAreBound(t *testing.T) {
	type binding struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		RoleRef  rbacv1.RoleRef   `json:"roleRef"`
		Subjects []rbacv1.Subject `json:"subjects"`
	}
	want := map[string]string{RoleController: "ClusterRoleBinding", RoleChildren: "ClusterRoleBinding", RoleGatewayConfig: "RoleBinding kiln"}
	got := map[string]string{}
	for _, b := range readDocs[binding](t, "role_binding.yaml") {
		if b.RoleRef.Kind != "ClusterRole" || len(b.Subjects) != 1 || b.Subjects[0].Kind != "ServiceAccount" ||
			b.Subjects[0].Name != "kiln-controller" || b.Subjects[0].Namespace != "kiln" {
			t.Errorf("%s %s: binds %v to %v; want a ClusterRole to ServiceAccount kiln/kiln-controller", b.Kind, b.Metadata.Name, b.RoleRef, b.Subjects)
		}
		got[b.RoleRef.Name] = strings.TrimSpace(b.Kind + " " + b.Metadata.Namespace)
	}
	for role, how := range want {
		if got[role] != how {
			t.Errorf("ClusterRole %s is bound by %q, want %q", role, got[role], how)
		}
	}
}

// TestGroupResource: grants are named the way kubectl and RBAC errors name
// them: the core group has no prefix.
func TestGroupResource(t *testing.T) {
	if got := groupResource("", "configmaps"); got != "configmaps" {
		t.Errorf("core: %q", got)
	}
	if got := groupResource("apps", "deployments"); got != "apps/deployments" {
		t.Errorf("apps: %q", got)
	}
}
