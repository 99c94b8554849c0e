package reconciler

import (
	"slices"
)

// Permission is what the controller does to one API resource.
type Permission struct {
	Group, Resource string
	Verbs           []string
}

// PermissionList is a set of permissions.
type PermissionList []Permission

// Allows says whether l grants verb on group/resource.
func (l PermissionList) Allows(group, resource, verb string) bool {
	for _, p := range l {
		if p.Group == group && p.Resource == resource && slices.Contains(p.Verbs, verb) {
			return true
		}
	}
	return false
}

var (
	// informed: the manager's informers list and watch, and the
	// reconciler reads through them.
	informed = []string{"list", "watch"}
	// applied: server-side apply is a patch, and a create for a new object.
	applied = []string{"create", "patch"}
	// serving kinds are applied, deleted when the spec no longer asks for
	// them, and cleaned up with the Function.
	servingVerbs = []string{"list", "watch", "create", "patch", "delete", "deletecollection"}
)

// Permissions is everything the controller does to the API server, the
// one declared list controller/config/rbac/role.yaml must grant exactly (the
// unit tests check both ways, and record every call the reconciler makes
// to check it is here).
var Permissions = PermissionList{
	{"core.kiln.dev", "functions", slices.Concat(informed, []string{"update"})}, // the finalizer
	{"core.kiln.dev", "functions/status", []string{"update"}},
	// Owner references with blockOwnerDeletion on the children.
	{"core.kiln.dev", "functions/finalizers", []string{"update"}},
	// Gateway configs, read through an informer.
	{"", "configmaps", informed},
	// The build cache: created once, deleted with the Function.
	{"", "persistentvolumeclaims", []string{"create", "deletecollection"}},
	// The build's ServiceAccount for builder credentials.
	{"", "serviceaccounts", slices.Concat(applied, []string{"deletecollection"})},
	{"shipwright.io", "builds", slices.Concat(informed, applied, []string{"deletecollection"})},
	// BuildRuns are created once per build hash.
	{"shipwright.io", "buildruns", slices.Concat(informed, []string{"create", "deletecollection"})},
	{"serving.knative.dev", "services", servingVerbs},
	{"apps", "deployments", servingVerbs},
	{"apps", "statefulsets", servingVerbs},
	{"keda.sh", "scaledobjects", servingVerbs},
	{"keda.sh", "scaledjobs", servingVerbs},
	{"dapr.io", "components", servingVerbs},
	{"gateway.networking.k8s.io", "httproutes", servingVerbs},
}

func groupResource(group, resource string) string {
	if group == "" {
		return resource
	}
	return group + "/" + resource
}
