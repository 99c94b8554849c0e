// Package v1alpha1 is Kiln's Function API, core.kiln.dev/v1alpha1. A Function
// names a source (git), how to build it into an image (Kiln's builder through
// Shipwright) and how to serve it (Knative for HTTP, a Deployment or Job with
// Dapr and KEDA for async functions, a Gateway API HTTPRoute for its route).
// The fields mirror OpenFunction's core.openfunction.io/v1beta2 Function one
// for one, so `kiln convert` can carry OpenFunction manifests over.
//
// +kubebuilder:object:generate=true
// +groupName=core.kiln.dev
package v1alpha1
