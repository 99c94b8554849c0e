// Package npmreg talks to an npm registry the way npm does, for Kiln's Node
// buildpacks: the registry comes from NPM_CONFIG_REGISTRY, the app's .npmrc
// or ~/.npmrc (so a mirror works), versions are resolved from semver ranges
// against the package document, and tarballs are checked against their
// Subresource Integrity (sha512) before use.
package npmreg
