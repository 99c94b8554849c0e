// Package context is Kiln's rendering of OpenFunction's ofctx package
// (github.com/OpenFunction/functions-framework-go/context, imported as ofctx):
// the Context an OpenFunction-signature function gets, its Out, the events
// it is called with and the path variables of the request.
//
// GetBindingEvent and GetTopicEvent return plain structs with the fields of
// Dapr's go-sdk types (common.BindingEvent, common.TopicEvent), so code that
// reads their fields compiles unchanged; code that names Dapr's types does
// not. GetDaprClient is not provided (Kiln talks to daprd itself): use Send.
// One Context is made per invocation.
package context
