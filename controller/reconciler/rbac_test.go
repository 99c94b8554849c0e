package reconciler

import (
	"os"
	"strings"
	"testing"

	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

// TestClusterRoleCoversWhatTheControllerDoes checks controller/config's
// ClusterRole grants every verb the reconciler uses, and nothing broad.
func TestClusterRoleCoversWhatTheControllerDoes(t *testing.T) {
	b, err := os.ReadFile("../config/rbac/role.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var role rbacv1.ClusterRole
	if err := yaml.UnmarshalStrict(b, &role); err != nil {
		t.Fatal(err)
	}
	allowed := map[string]bool{}
	for _, r := range role.Rules {
		for _, g := range r.APIGroups {
			for _, res := range r.Resources {
				for _, v := range r.Verbs {
					if g == "*" || res == "*" || v == "*" {
						t.Errorf("wildcard in %v: least privilege means naming what is used", r)
					}
					allowed[g+"/"+res+":"+v] = true
				}
			}
		}
		for _, res := range r.Resources {
			if res == "secrets" {
				t.Errorf("the controller never reads Secrets: %v", r)
			}
		}
	}
	owned := []string{"shipwright.io/builds", "shipwright.io/buildruns", "serving.knative.dev/services", "apps/deployments", "apps/statefulsets",
		"keda.sh/scaledobjects", "keda.sh/scaledjobs", "dapr.io/components", "gateway.networking.k8s.io/httproutes"}
	var need []string
	for _, o := range owned {
		for _, v := range []string{"get", "list", "watch", "create", "patch", "delete", "deletecollection"} {
			need = append(need, o+":"+v)
		}
	}
	need = append(need, "core.kiln.dev/functions:get", "core.kiln.dev/functions:list", "core.kiln.dev/functions:watch", "core.kiln.dev/functions:update",
		"core.kiln.dev/functions/status:update", "core.kiln.dev/functions/finalizers:update",
		"/configmaps:get", "/configmaps:list", "/configmaps:watch",
		"/persistentvolumeclaims:create", "/persistentvolumeclaims:get", "/persistentvolumeclaims:deletecollection",
		"/serviceaccounts:patch", "/serviceaccounts:deletecollection")
	var missing []string
	for _, n := range need {
		if !allowed[n] {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("controller/config/rbac/role.yaml lacks: %s", strings.Join(missing, ", "))
	}
}
