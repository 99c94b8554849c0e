// Package reconciler is the Function controller: it applies what
// controller/render makes of each Function (server-side apply, owned by the
// Function so deleting it deletes everything), starts a Shipwright BuildRun
// when the build-relevant spec changes, pins serving to the digest the
// BuildRun reports, deletes children the spec no longer asks for, and reports
// progress and errors through the Function's status lifecycle
// (controller/api/v1alpha1 function_lifecycle.go: the conditions, reasons
// and states live there; this package only calls the Mark methods).
//
// Permissions (permissions.go) is the one declared list of what the
// controller does to the API server; controller/config/rbac/role.yaml must
// grant exactly that, and the unit tests record every call the reconciler
// makes to check the list is honest.
package reconciler
