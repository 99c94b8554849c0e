// Package conformance is Kiln's implementation of the functions-framework
// conformance protocol (GoogleCloudPlatform/functions-framework-conformance):
// an HTTP function echoes the request body into function_output.json; a
// CloudEvent function writes the event it received there, for events sent in
// binary and in structured mode; ten calls must be inside the function at
// once (each waits at a barrier for the others, so no check depends on the
// machine's speed). The harness needs a URL and a way to read the output
// file, so it runs the same against an in-process server and a kiln-built
// image.
//
// hostile.go holds checks of how a framework treats clients that do not
// behave (bodies over KILN_MAX_BODY_BYTES, bad Content-Length, chunked
// bodies, clients leaving mid-body, slowloris, idle keep-alive floods,
// SIGTERM with requests in flight); hostile_test.go runs them against the
// Go, Node.js, Python and Java frameworks started as processes on the host.
// The fixtures these checks call are in functions/ (one per language).
package conformance
