// Package ofctx is the OpenFunction function signature for Kiln's Go
// framework: func(ofctx.Context, []byte) (ofctx.Out, error).
//
// The names follow OpenFunction's functions-framework-go (package
// "context", imported as ofctx) so functions written for it port by changing
// the import path. One Context is made per invocation, so functions may run
// concurrently.
package ofctx
