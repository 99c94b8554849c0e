// Package functionsframework is Kiln's compatibility module for functions
// written against Google's Go Functions Framework
// (github.com/GoogleCloudPlatform/functions-framework-go): the same import
// paths and the API functions call, on Kiln's own framework. Kiln's Go
// function buildpack substitutes it for the real module at build time (a
// replace in a copy of the function's go.mod) only when the function's module
// requires Google's framework; BP_FUNCTION_FRAMEWORK=native builds with the
// real one instead.
//
//   - functions: HTTP, CloudEvent (sdk-go's event.Event), Typed.
//   - funcframework: RegisterHTTPFunctionContext,
//     RegisterCloudEventFunctionContext, RegisterHTTPFunction, Start,
//     StartHostPort. Background (legacy event) functions are refused with an
//     error that says to use CloudEvent.
//
// It depends on github.com/cloudevents/sdk-go/v2's event package, which every
// module requiring Google's framework already requires, and on Kiln's
// framework; on nothing else.
package functionsframework
