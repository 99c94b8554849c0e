// Package convert turns an OpenFunction Function (core.openfunction.io
// v1beta1 or v1beta2) into a Kiln Function (core.kiln.dev/v1alpha1), and
// reports, field by field, what it changed or could not carry over.
//
// Fields unknown to the manifest's OpenFunction version are pruned, as the
// Kubernetes API server prunes them for a structural schema, with a note
// per field (prune.go, schema.go); values of the wrong type stay errors.
package convert
