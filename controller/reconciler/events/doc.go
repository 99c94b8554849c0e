// Package events reconciles events.kiln.dev EventSources and Triggers: it
// resolves the EventBus (or ClusterEventBus) each one names, keeps a
// Trigger on a ClusterEventBus inside its namespace's topics, renders its
// handler (controller/render/events), server-side applies the handler's
// Secret (the passwords its Dapr Components reference) and Function owned
// by the EventSource or Trigger (so they go when it goes) — never over an
// object of that name it does not control — and reports the Function's
// readiness in the Ready condition. EventBuses and
// ClusterEventBuses have no workload: a change to one re-reconciles what
// uses it. The core.kiln.dev Function reconciler does the rest.
//
// Its API permissions are Permissions, granted exactly by
// controller/config/rbac/events_role.yaml (tests check both ways).
package events
