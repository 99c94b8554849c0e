// Package gofunction is the kiln/go-function buildpack: it turns a Go package
// that exports a function into a program that serves it.
//
// Detect passes with go.mod and FUNC_NAME (alias GOOGLE_FUNCTION_TARGET).
// Build parses the function package (the module root, or FUNC_SRC), finds the
// target among exported functions or declarative registrations
// (functions.HTTP / functions.CloudEvent), and writes a main package at
// functions.local/app inside the user's own module, so replace directives and
// vendoring keep working. Unless go.mod already requires Kiln's framework, it
// adds one require line and the go.sum lines for the framework copy this
// buildpack carries, served to the go command from a file:// GOPROXY: no
// network is needed for the framework.
package gofunction
