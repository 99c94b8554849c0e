// Package godist is the kiln/go-dist buildpack: it provides the Go toolchain.
//
// Version: BP_GO_VERSION, else go.mod's toolchain directive, else its go
// directive (a version without a patch takes the latest patch listed in
// buildpack.toml), else buildpack.toml's default-version. The toolchain is
// golang.org/toolchain@v0.0.1-go<version>.linux-<arch> from the first proxy in
// GOPROXY, verified against GOSUMDB through the same proxy, trimmed of what a
// build never reads, and kept in the cached build layer "go" keyed by version
// and hash: a second build downloads nothing.
package godist
