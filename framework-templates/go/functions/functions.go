package functions

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"sync"

	"kiln.dev/functions-framework-go/cloudevents"
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

var (
	mu       sync.Mutex
	registry = map[string]Registered{}
)

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
	if r.Name == "" {
		panic("functions: a function needs a non-empty name")
	}
	if r.HTTP == nil && r.CloudEvent == nil && r.Open == nil {
		panic(fmt.Sprintf("functions: %q registered with a nil function", r.Name))
	}
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[r.Name]; dup {
		panic(fmt.Sprintf("functions: %q is registered twice", r.Name))
	}
	registry[r.Name] = r
}

// Lookup returns the function registered as name.
func Lookup(name string) (Registered, bool) {
	mu.Lock()
	defer mu.Unlock()
	r, ok := registry[name]
	return r, ok
}

// Names lists the registered function names, sorted.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
