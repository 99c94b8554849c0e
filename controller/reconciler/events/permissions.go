package events

import (
	"slices"
)

// Role is the ClusterRole granting Permissions, bound cluster-wide
// (controller/config/rbac/events_role.yaml).
const Role = "kiln-controller-events"

// Permission is what the events controller does to one API resource.
type Permission struct {
	Group, Resource string
	Verbs           []string
}

var informed = []string{"list", "watch"}

// Permissions is everything the events controller does to the API server.
var Permissions = []Permission{
	{"events.kiln.dev", "eventsources", informed},
	{"events.kiln.dev", "eventsources/status", []string{"update"}},
	{"events.kiln.dev", "triggers", informed},
	{"events.kiln.dev", "triggers/status", []string{"update"}},
	{"events.kiln.dev", "eventbuses", informed},
	{"events.kiln.dev", "clustereventbuses", informed},
	// Handler Functions are watched (Owns), read live before a write (get:
	// who controls one is never judged on a stale copy), created when new
	// and server-side applied (patch) at the resourceVersion read, garbage
	// collected through their owner reference; deleted when a Trigger turns
	// out to publish outside its namespace.
	{"core.kiln.dev", "functions", slices.Concat(informed, []string{"get", "create", "patch", "delete"})},
	// Handler Secrets (the bus's and sources' passwords) likewise; read one
	// at a time, uncached (get), so no Secret of the cluster sits in the
	// controller's memory; deleted when the handler no longer has one.
	{"", "secrets", []string{"get", "create", "patch", "delete"}},
}

// Allows says whether Permissions grant verb on group/resource.
func Allows(group, resource, verb string) bool {
	for _, p := range Permissions {
		if p.Group == group && p.Resource == resource && slices.Contains(p.Verbs, verb) {
			return true
		}
	}
	return false
}
