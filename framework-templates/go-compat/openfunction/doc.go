// Package functionsframework is Kiln's compatibility module for functions
// written against OpenFunction's Go functions framework
// (github.com/OpenFunction/functions-framework-go, v0.5.0 and main): the same
// import paths and the API functions call, implemented on Kiln's own
// framework (kiln.dev/functions-framework-go). Kiln's Go function buildpack
// substitutes it for the real module at build time, with a replace directive
// in a copy of the function's go.mod, only when the function's module
// requires OpenFunction's framework; BP_FUNCTION_FRAMEWORK=native builds with
// the real one instead.
//
//   - functions: HTTP, CloudEvent, OpenFunction, WithFunctionPath ({var},
//     {var:regexp}), WithFunctionMethods.
//   - context (ofctx): Context (Send, GetBindingEvent, GetTopicEvent,
//     GetCloudEvent, GetInnerEvent, GetSyncRequest, …), Out, FunctionOut,
//     VarsFromCtx, URLParamFromCtx, URLParamsFromCtx.
//   - framework: NewFramework, Register, RegisterPlugins, Start.
//   - plugin: the Plugin interface, run as Kiln hooks.
//
// It depends on github.com/cloudevents/sdk-go/v2 (its event package, for the
// CloudEvent signature), which every module requiring OpenFunction's framework
// already requires, and on Kiln's framework; on nothing else.
package functionsframework
