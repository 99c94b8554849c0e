// Package conformance is Kiln's implementation of the functions-framework
// conformance protocol (GoogleCloudPlatform/functions-framework-conformance):
// an HTTP function echoes the request body into function_output.json; a
// CloudEvent function writes the event it received there, for events sent in
// binary and in structured mode; ten concurrent one-second calls must finish
// in under two seconds. The harness needs a URL and a way to read the output
// file, so it runs the same against an in-process server and a kiln-built
// image.
package conformance
