// Package sbom writes the CycloneDX JSON SBOMs Kiln's buildpacks put beside
// their layers (<layers>/<layer>.sbom.cdx.json, Buildpack API 0.7+; the
// buildpack must list application/vnd.cyclonedx+json in sbom-formats), and
// reads what goes in them: the Go modules of a compiled binary's build info,
// npm's node_modules/.package-lock.json and pip's *.dist-info METADATA,
// Maven jars, the Go toolchain record kiln/go-dist leaves in GOROOT
// (gotoolchain.go), the functions framework a function buildpack injects
// (framework.go) and the stack's package SBOM (stack.go). Checksums are
// CycloneDX hashes when they digest one file (a zip, a jar, a .deb, an npm
// tarball) and properties when they digest a file tree: golang:go.sum for a
// Go module's go.sum hash, kiln:h1 for the h1 of other copied trees.
// Output is deterministic (components sorted, no timestamps or serial
// numbers) so an unchanged rebuild keeps its layer digests. Everything read
// is hostile: files are size-bounded and malformed entries are errors naming
// the file.
package sbom
