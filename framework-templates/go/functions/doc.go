// Package functions is the declarative registration API of Kiln's Go functions
// framework. A function package registers its functions in init():
//
//	func init() {
//		functions.HTTP("HelloWorld", helloWorld)
//		functions.CloudEvent("OnEvent", onEvent)
//	}
//
// The server (package funcframework) serves the one named by FUNCTION_TARGET.
// This package only keeps the registry; it must not start servers or read env.
package functions
