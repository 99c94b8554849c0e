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
//
// Functions written against OpenFunction's or Google's Go framework (the
// module requires github.com/OpenFunction/functions-framework-go or
// github.com/GoogleCloudPlatform/functions-framework-go) are served by Kiln's
// compatibility modules (framework-templates/go-compat, carried under
// compat/): Build copies them to functions.local/compat/<name> and writes
// functions.local/kiln.mod (+ kiln.sum), a copy of go.mod with the framework
// requirement and a replace per framework; kiln/go-build compiles with
// -modfile, so go.mod and go.sum stay as they are and nothing enters the
// dependency graph of a function that does not require those frameworks.
// BP_FUNCTION_FRAMEWORK=native (or a go.mod that replaces the framework with
// a fork) builds with the framework the module requires instead, with a main
// package in that framework's conventions. When FUNC_NAME names no function
// but the package registers functions at paths (OpenFunction's
// WithFunctionPath), every one is served at its path.
//
// The function layer's SBOM (sbom.go) names the framework it wired in: the
// carried module with its zip's SHA-256 and go.sum hash, each compatibility
// module with the h1 of its copy, or the user's own framework by version.
package gofunction
