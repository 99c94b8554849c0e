// Package render turns a Function into the Kubernetes objects that build and
// serve it: a Shipwright Build, BuildRun and build-cache PVC; a Knative
// Service for HTTP functions; a Deployment, StatefulSet or KEDA ScaledJob with
// Dapr annotations, Dapr Components and a KEDA ScaledObject for async ones;
// a Gateway API HTTPRoute for a route. It is pure: the controller applies
// what it returns and `kiln render` prints it, so both always agree.
package render
