// Package functions is the declarative registration API of Kiln's Go functions
// framework. A function package registers its functions in init():
//
//	func init() {
//		functions.HTTP("HelloWorld", helloWorld)
//		functions.CloudEvent("OnEvent", onEvent)
//	}
//
// The server (package funcframework) serves the one named by FUNCTION_TARGET.
// Options set a path template and methods (WithPath, WithMethods); when
// FUNCTION_TARGET names none of the registered functions, every function with
// a path is served at its path. Register is the same API for frameworks built
// on this one (Kiln's OpenFunction and Google compatibility modules).
// This package only keeps the registry; it must not start servers or read env.
package functions
