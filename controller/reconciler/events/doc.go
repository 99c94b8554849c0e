// Package events reconciles events.kiln.dev EventSources and Triggers: it
// resolves the EventBus (or ClusterEventBus) each one names, renders its
// handler Function (controller/render/events), server-side applies it
// owned by the EventSource or Trigger (so it goes when they go), and
// reports the Function's readiness in the Ready condition. EventBuses and
// ClusterEventBuses have no workload: a change to one re-reconciles what
// uses it. The core.kiln.dev Function reconciler does the rest.
//
// Its API permissions are Permissions, granted exactly by
// controller/config/rbac/events_role.yaml (tests check both ways).
package events
