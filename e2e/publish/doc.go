// Package publish is Kiln's release suite: `kiln publish` to a real registry
// (distribution's, on loopback, with TLS from a CA the suite makes and
// htpasswd auth), the release manifest, reproducible digests (publishing
// twice), multi-arch indexes, credentials (and their absence), relocation to
// a mirror registry with the first one gone, the CI workflow's lint, and the
// pack path: real `pack build -B` through Podman's Docker API with the
// published builders, `pack builder create` from the published
// buildpackages, rebase and SBOMs.
//
// Env: KILN_E2E_HOME (default ~/.cache/kiln-e2e-publish) keeps the suite's
// .deb cache, Podman store and kiln state; KILN_TOOLS the pinned tools
// (platform/tools/build.sh cnb, cnb-arm64, publish-tools are run if missing).
package publish
