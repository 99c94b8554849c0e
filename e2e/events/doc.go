// Package events runs Kiln's Events chain on this machine, no cluster: the
// handler Functions controller/render/events makes of an EventSource and a
// Trigger, each as the eventhandler binary beside a real daprd with the
// Dapr Components render.Components makes of it, on a real redis-server as
// the Redis Streams bus. What the cluster adds (the reconciler applying
// them, injected sidecars, Knative sinks) is the cluster e2e's to prove.
package events
