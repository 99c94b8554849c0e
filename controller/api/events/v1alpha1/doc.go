// Package v1alpha1 is Kiln's Events API, events.kiln.dev/v1alpha1: the
// EventSource, EventBus, ClusterEventBus and Trigger kinds in the shapes of
// OpenFunction's events.openfunction.io/v1alpha1, so `kiln convert` can carry
// OpenFunction's events manifests over.
//
// An EventSource names event producers (Kafka, cron, Redis Streams, MQTT) and
// where their events go (an EventBus or a sink). An EventBus (namespaced) or
// ClusterEventBus (cluster-wide fallback) names the pub/sub backend events
// travel on (Redis Streams or Kafka). A Trigger reads events of some sources
// from a bus, evaluates each subscriber's condition and delivers matching
// events to the subscriber's sink (a Function or a Knative Service) or topic.
//
// This package owns the types, their validation and their status transitions;
// what runs for them is rendered by controller/render/events.
//
// +kubebuilder:object:generate=true
// +groupName=events.kiln.dev
package v1alpha1
