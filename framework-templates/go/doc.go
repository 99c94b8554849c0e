// Package framework is the root of Kiln's Go functions framework module.
//
// The module has no dependencies outside the Go standard library, so the
// Kiln Go function buildpack can inject it into a build with no network.
//
//   - package functions: declarative registration, functions.HTTP / functions.CloudEvent.
//   - package cloudevents: the CloudEvent type and its HTTP binary/structured codecs.
//   - package funcframework: the HTTP server that serves one function on $PORT
//     (or every function registered with a path, when none is the target).
//   - package routes: path templates ("/hello/{name}", "{id:[0-9]+}") and the
//     router that serves functions at them.
package framework
