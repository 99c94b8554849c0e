// Package devproxy lets a function's own module resolve Kiln's Go functions
// framework (kiln.dev/functions-framework-go) outside a build: in an IDE, with
// `go test`, with gopls. It writes the same file:// module proxy the
// kiln/go-function buildpack carries (same zip, same go.sum hashes) under a
// directory the caller names, and says which environment makes the go command
// use it ahead of the user's own GOPROXY. It owns only that directory.
package devproxy
