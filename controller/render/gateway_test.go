package render

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestGatewayFromConfigMap(t *testing.T) {
	base := map[string]string{"domain": "fn.example.com", "gatewayName": "gw"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	for _, tc := range []struct {
		name string
		data map[string]string
		err  string
		// allowed and denied are namespaces whose Functions may and may not use it.
		allowed, denied []string
		check           func(t *testing.T, g *Gateway)
	}{
		{name: "defaults", data: base, allowed: []string{"kiln"}, denied: []string{"team-a", ""},
			check: func(t *testing.T, g *Gateway) {
				if g.GatewayNamespace != "kiln" || g.HostTemplate != DefaultHostTemplate || g.PathTemplate != DefaultPathTemplate || g.Listener != "" {
					t.Errorf("%+v", g)
				}
			}},
		{name: "everything set", data: with("gatewayNamespace", "infra", "gatewayListener", "http", "hostTemplate", "{{.Name}}.{{.Domain}}", "pathTemplate", "/fn/{{.Name}}"),
			check: func(t *testing.T, g *Gateway) {
				if g.GatewayNamespace != "infra" || g.Listener != "http" || g.HostTemplate != "{{.Name}}.{{.Domain}}" || g.PathTemplate != "/fn/{{.Name}}" {
					t.Errorf("%+v", g)
				}
			}},
		{name: "shared with every namespace", data: with("allowedNamespaces", "*"), allowed: []string{"kiln", "team-a", "x"}},
		{name: "shared by name, commas and spaces", data: with("allowedNamespaces", "team-a, team-b\n  team-c,"), allowed: []string{"kiln", "team-a", "team-b", "team-c"}, denied: []string{"team-d", "team"}},
		{name: "not a namespace", data: with("allowedNamespaces", "team-a, Team_B"), err: `Gateway config ConfigMap kiln/kiln: data.allowedNamespaces: "Team_B" is not a namespace`},
		{name: "no domain", data: map[string]string{"gatewayName": "gw"}, err: "Gateway config ConfigMap kiln/kiln: data.domain is empty"},
		{name: "no gateway", data: map[string]string{"domain": "d"}, err: "data.gatewayName is empty"},
		{name: "a template that does not parse", data: with("hostTemplate", "{{.Name"), err: "data.hostTemplate:"},
		{name: "a template with an unknown field", data: with("pathTemplate", "/{{.Team}}"), err: "data.pathTemplate:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, err := GatewayFromConfigMap(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kiln", Namespace: "kiln"}, Data: tc.data})
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, ns := range tc.allowed {
				if !g.Allows(ns) {
					t.Errorf("Functions in %q may not use it", ns)
				}
			}
			for _, ns := range tc.denied {
				if g.Allows(ns) {
					t.Errorf("Functions in %q may use it", ns)
				}
			}
			if tc.check != nil {
				tc.check(t, g)
			}
		})
	}
}
