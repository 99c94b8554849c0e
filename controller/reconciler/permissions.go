package reconciler

import (
	"slices"
)

// The ClusterRoles the controller's permissions come in
// (controller/config/rbac/role.yaml), by where they must be bound.
const (
	// RoleController is bound cluster-wide: the informers (list and watch,
	// nothing else) and the Functions' finalizer and status.
	RoleController = "kiln-controller"
	// RoleChildren writes Functions' children; it is bound wherever Functions
	// live: cluster-wide by default, or with a RoleBinding per namespace
	// to confine what the controller can create to those namespaces.
	RoleChildren = "kiln-controller-children"
	// RoleGatewayConfig reads Gateway config ConfigMaps; it is bound with a
	// RoleBinding in each namespace that holds them (kiln by default), so the
	// controller reads no other ConfigMap.
	RoleGatewayConfig = "kiln-controller-gateway-config"
)

// Permission is what the controller does to one API resource, granted by
// Role.
type Permission struct {
	Role, Group, Resource string
	Verbs                 []string
}

// PermissionList is a set of permissions.
type PermissionList []Permission

// Allows says whether l grants verb on group/resource through role.
func (l PermissionList) Allows(role, group, resource, verb string) bool {
	for _, p := range l {
		if p.Role == role && p.Group == group && p.Resource == resource && slices.Contains(p.Verbs, verb) {
			return true
		}
	}
	return false
}

var (
	// informed: the manager's informers list and watch; the reconciler
	// reads through them.
	informed = []string{"list", "watch"}
	// serving kinds are server-side applied (a patch, and a create for a
	// new object) and deleted when the spec no longer asks for them or the
	// Function goes.
	servingVerbs = []string{"create", "patch", "delete"}
)

// Permissions is everything the controller does to the API server, the
// one declared list controller/config/rbac/role.yaml must grant exactly (the
// unit tests check both ways, and check every call the reconciler makes is
// here and every entry is used).
var Permissions = PermissionList{
	{RoleController, "core.kiln.dev", "functions", slices.Concat(informed, []string{"update"})}, // the finalizer
	{RoleController, "core.kiln.dev", "functions/status", []string{"update"}},
	{RoleController, "shipwright.io", "builds", informed},
	{RoleController, "shipwright.io", "buildruns", informed},
	{RoleController, "serving.knative.dev", "services", informed},
	{RoleController, "apps", "deployments", informed},
	{RoleController, "apps", "statefulsets", informed},
	{RoleController, "keda.sh", "scaledobjects", informed},
	{RoleController, "keda.sh", "scaledjobs", informed},
	{RoleController, "dapr.io", "components", informed},
	{RoleController, "gateway.networking.k8s.io", "httproutes", informed},
	// The build strategy a Function names, read by name for the parameters
	// it declares (no informer); cluster-scoped, so bound cluster-wide.
	{RoleController, "shipwright.io", "clusterbuildstrategies", []string{"get"}},

	// Owner references with blockOwnerDeletion on the children need it.
	{RoleChildren, "core.kiln.dev", "functions/finalizers", []string{"update"}},
	// The build cache: created once; read by name and deleted with the
	// Function (no informer).
	{RoleChildren, "", "persistentvolumeclaims", []string{"create", "get", "delete"}},
	// The build's ServiceAccount for builder credentials: applied; read by
	// name and deleted with the Function.
	{RoleChildren, "", "serviceaccounts", []string{"create", "patch", "get", "delete"}},
	{RoleChildren, "shipwright.io", "builds", servingVerbs},
	// A namespace's own build strategy, read by name like the cluster's.
	{RoleChildren, "shipwright.io", "buildstrategies", []string{"get"}},
	// BuildRuns are created once per build hash.
	{RoleChildren, "shipwright.io", "buildruns", []string{"create", "delete"}},
	{RoleChildren, "serving.knative.dev", "services", servingVerbs},
	{RoleChildren, "apps", "deployments", servingVerbs},
	{RoleChildren, "apps", "statefulsets", servingVerbs},
	{RoleChildren, "keda.sh", "scaledobjects", servingVerbs},
	{RoleChildren, "keda.sh", "scaledjobs", servingVerbs},
	{RoleChildren, "dapr.io", "components", servingVerbs},
	{RoleChildren, "gateway.networking.k8s.io", "httproutes", servingVerbs},
	// The pods of a Knative revision that is not ready, listed by its label
	// (no informer) to report a function that crashes on start.
	{RoleChildren, "", "pods", []string{"list"}},

	// Gateway configs, read by name (no ConfigMap informer).
	{RoleGatewayConfig, "", "configmaps", []string{"get"}},
}

func groupResource(group, resource string) string {
	if group == "" {
		return resource
	}
	return group + "/" + resource
}
