// Package buildpacks holds Kiln's Cloud Native Buildpacks (libcnb/v2 + libpak/v2).
//
// Each buildpack is a folder with buildpack.toml, a one-file main package and
// a library package holding detect, build and their tests:
//
//	go-dist/      kiln/go-dist      Go toolchain from GOPROXY, checksum-verified, cached
//	go-function/  kiln/go-function  wraps a Go function with Kiln's framework
//	go-build/     kiln/go-build     CGO-free static build, cached GOCACHE/GOMODCACHE
//
// Shared helpers live in internal/. `kiln buildpack package` compiles them into
// CNB buildpack directories.
package buildpacks
