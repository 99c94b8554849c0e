package clusteraddons

import (
	"strings"
	"testing"
)

// Namespaced objects without a namespace go in the release's, as helm
// install --namespace puts them; cluster-scoped ones and ones that name
// their namespace are left as they are.
func TestInNamespace(t *testing.T) {
	for _, c := range []struct {
		kind, yaml, want, err string
	}{
		{"RoleBinding", "kind: RoleBinding\nmetadata:\n  name: b\n  labels: {a: b}\nroleRef: {}\n", "kind: RoleBinding\nmetadata:\n  namespace: rel\n  name: b\n  labels: {a: b}\nroleRef: {}\n", ""},
		{"Service", "kind: Service\nmetadata:\n    name: s\n", "kind: Service\nmetadata:\n    namespace: rel\n    name: s\n", ""},
		{"ClusterRoleBinding", "kind: ClusterRoleBinding\nmetadata:\n  name: c\n", "kind: ClusterRoleBinding\nmetadata:\n  name: c\n", ""},
		{"Role", "kind: Role\nmetadata:\n  name: r\n  namespace: other\n", "kind: Role\nmetadata:\n  name: r\n  namespace: other\n", ""},
		{"Role", "kind: Role\nmetadata: {name: r}\n", "", "no block metadata"},
	} {
		d := doc{source: "t.yaml", kind: c.kind, name: "x", yaml: []byte(c.yaml)}
		if strings.Contains(c.yaml, "namespace: other") {
			d.namespace = "other"
		}
		got, err := inNamespace([]doc{d}, "rel")
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%s: err %v, want %q", c.kind, err, c.err)
			}
			continue
		}
		if err != nil || string(got[0].yaml) != c.want {
			t.Errorf("%s:\n%s(err %v)\nwant\n%s", c.kind, got[0].yaml, err, c.want)
		}
		if want := map[bool]string{true: "", false: "rel"}[c.kind == "ClusterRoleBinding"]; c.kind != "Role" && got[0].namespace != want {
			t.Errorf("%s: namespace %q, want %q", c.kind, got[0].namespace, want)
		}
	}
}
