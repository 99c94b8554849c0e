// Package godist is the kiln/go-dist buildpack: it provides the Go toolchain.
//
// Version: BP_GO_VERSION, else go.mod's toolchain line, else the newest Go
// listed in buildpack.toml's [metadata] versions, which must satisfy go.mod's
// go line (a minimum since Go 1.21: a `go 1.17` module builds with the newest
// pinned Go, never an ancient one). "1.25" in BP_GO_VERSION or a toolchain
// line means the pinned 1.25.x. A go line newer than every pinned Go, or a
// BP_GO_VERSION older than the go line, is an error naming both. The toolchain
// is golang.org/toolchain@v0.0.1-go<version>.linux-<arch> from the first proxy
// in GOPROXY, verified against GOSUMDB through the same proxy, trimmed of what
// a build never reads, and kept in the cached build layer "go" keyed by
// version: a second build downloads nothing. GOROOT/kiln-toolchain.json
// records the module, the zip's SHA-256 and the verified h1 for the SBOMs
// (go-dist's build-layer SBOM and go-build's app SBOM read it).
package godist
