// Package buildpackage compiles Kiln's buildpacks (buildpacks/<name>) into
// CNB buildpack directories (<out>/<id with / as _>/<version>/ holding
// buildpack.toml and bin/{main,detect,build}), and gives kiln/go-function the
// framework copy it injects (goproxy/). Needs the Go toolchain and the Kiln
// source tree.
package buildpackage
