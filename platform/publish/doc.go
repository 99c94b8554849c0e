// Package publish releases Kiln: it builds the stack images, the buildpacks
// (as OCI buildpackage images, the shape `pack buildpack package --format
// image` makes), the builders and the controller image for linux/amd64 and
// linux/arm64, pushes them under one version tag (and latest) as multi-arch
// indexes, renders the controller's kustomize config pinned to their digests
// and writes a release manifest listing every reference and digest.
//
// It also owns how kiln talks to registries other than its embedded one:
// credentials come from the Docker config the way every other tool finds
// them (Keychain), plain HTTP only for registries named insecure (Target),
// and CNB_REGISTRY_AUTH for the lifecycle is rendered here (RegistryAuth).
// Every push goes through Target.remoteOptions.
//
// It must not touch the embedded registry's storage (platform/registry) or
// run builds (platform/lifecycle): it works only through registries.
package publish
