// Package routes matches request paths against the path templates functions
// are registered with (functions.WithPath): literal paths, "{name}" variables
// (one path segment) and "{name:regexp}" variables, the syntax OpenFunction's
// and gorilla/mux's WithFunctionPath use. A template matches the whole path;
// "/" alone matches every path. Router serves several functions, each at its
// template, answering 404 when no template matches and 405 when one matches
// but not for the request's method.
//
// The matched variables travel in the request's context (Vars) and, on Go
// 1.22 or newer, as the request's path values (r.PathValue). Standard library
// only; the ServeMux's own patterns are not used because their meaning
// depends on the main module's go line (GODEBUG httpmuxgo121) and they have
// no regexp variables.
package routes
