// Package gobuild is the kiln/go-build buildpack.
//
// It compiles one main package with CGO_ENABLED=0, -trimpath and stripped
// symbols into the launch layer "app", and makes it the default web process.
// The package is, in order: $KILN_GO_BUILD_PACKAGE (set by kiln/go-function),
// $BP_GO_TARGETS (one package inside the module), or the module's only main
// package. GOFLAGS gets only flags the chosen Go knows (-buildvcs=false from
// Go 1.18). GOCACHE and GOMODCACHE are cache layers: GOCACHE is keyed by the
// Go version (a new toolchain starts it afresh), the module cache is
// content-addressed and kept.
package gobuild
