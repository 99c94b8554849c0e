// Package publish releases Kiln: it builds the stack images, the buildpacks
// (as OCI buildpackage images, the shape `pack buildpack package --format
// image` makes), the builders and the controller image for linux/amd64 and
// linux/arm64, pushes them under one version tag (and latest) as multi-arch
// indexes, renders the controller's kustomize config pinned to their digests
// and writes a release manifest listing every reference and digest.
//
// It reaches registries through platform/regclient (Target: credentials
// from the Docker config, --insecure-registry, explained errors), and
// renders CNB_REGISTRY_AUTH for the lifecycle (RegistryAuth).
//
// It must not touch the embedded registry's storage (platform/registry) or
// run builds (platform/lifecycle): it works only through registries.
package publish
