package functions

import (
	"context"
	"fmt"
	"net/http"

	"kiln.dev/functions-framework-go/cloudevents"
	reg "kiln.dev/functions-framework-go/internal/registry"
	"kiln.dev/functions-framework-go/ofctx"
)

// HTTPFunction is the signature of an HTTP function.
type HTTPFunction = func(http.ResponseWriter, *http.Request)

// CloudEventFunction is the signature of a CloudEvent function.
type CloudEventFunction = func(context.Context, cloudevents.Event) error

// OpenFunctionFunc is the OpenFunction signature (see package ofctx).
type OpenFunctionFunc = ofctx.Function

// Registered is one declaratively registered function: exactly one of HTTP,
// CloudEvent and Open is set.
type Registered struct {
	Name       string
	HTTP       HTTPFunction
	CloudEvent CloudEventFunction
	Open       OpenFunctionFunc
}

// Signature names the function's signature type: "http", "cloudevent" or "openfunction".
func (r Registered) Signature() string {
	switch {
	case r.HTTP != nil:
		return "http"
	case r.Open != nil:
		return "openfunction"
	}
	return "cloudevent"
}

// registry holds the process's registrations; tests make their own (package
// internal/registry) instead of touching this one.
var registry = reg.New[Registered]("function")

// HTTP registers fn as the HTTP function called name. Registering the same
// name twice panics: it is a programming error found at start-up.
func HTTP(name string, fn HTTPFunction) {
	register(Registered{Name: name, HTTP: fn})
}

// CloudEvent registers fn as the CloudEvent function called name.
func CloudEvent(name string, fn CloudEventFunction) {
	register(Registered{Name: name, CloudEvent: fn})
}

// OpenFunction registers fn, an OpenFunction-signature function, as name.
// It serves over HTTP, or from Dapr inputs when FUNC_CONTEXT says runtime Async.
func OpenFunction(name string, fn OpenFunctionFunc) {
	register(Registered{Name: name, Open: fn})
}

func register(r Registered) {
	if r.Name != "" && r.HTTP == nil && r.CloudEvent == nil && r.Open == nil {
		panic(fmt.Sprintf("functions: %q registered with a nil function", r.Name))
	}
	if err := registry.Add(r.Name, r); err != nil {
		panic("functions: " + err.Error())
	}
}

// Lookup returns the function registered as name.
func Lookup(name string) (Registered, bool) { return registry.Get(name) }

// Names lists the registered function names, sorted.
func Names() []string { return registry.Names() }
