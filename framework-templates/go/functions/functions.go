package functions

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"kiln.dev/functions-framework-go/cloudevents"
	reg "kiln.dev/functions-framework-go/internal/registry"
	"kiln.dev/functions-framework-go/ofctx"
	"kiln.dev/functions-framework-go/routes"
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
	// Path is the path template the function is served at (WithPath); nil
	// when it has none, and then it answers on every path when it is the
	// target.
	Path *routes.Template
	// Methods limits the function to these HTTP methods (WithMethods).
	Methods []string
}

// Option sets how a function is served.
type Option func(*Registered) error

// WithPath serves the function at a path template: "/hello/{name}" (one
// segment per variable), "/articles/{id:[0-9]+}" (a regexp), "/" (every
// path). Handlers read the variables with routes.Vars(r.Context()), or
// r.PathValue(name) on Go 1.22+. When no FUNCTION_TARGET names a registered
// function, every function with a path is served at its path.
func WithPath(template string) Option {
	return func(r *Registered) error {
		t, err := routes.Compile(template)
		if err != nil {
			return err
		}
		r.Path = t
		return nil
	}
}

// WithMethods limits the function to these HTTP methods (405 for others; GET
// also allows HEAD).
func WithMethods(methods ...string) Option {
	return func(r *Registered) error {
		if len(methods) == 0 {
			return fmt.Errorf("WithMethods needs at least one method")
		}
		for _, m := range methods {
			if m = strings.ToUpper(strings.TrimSpace(m)); m == "" {
				return fmt.Errorf("WithMethods: an empty method name")
			}
			r.Methods = append(r.Methods, m)
		}
		return nil
	}
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
// name twice, or with a bad option, panics: it is a programming error found
// at start-up.
func HTTP(name string, fn HTTPFunction, opts ...Option) {
	register(Registered{Name: name, HTTP: fn}, opts)
}

// CloudEvent registers fn as the CloudEvent function called name.
func CloudEvent(name string, fn CloudEventFunction, opts ...Option) {
	register(Registered{Name: name, CloudEvent: fn}, opts)
}

// OpenFunction registers fn, an OpenFunction-signature function, as name.
// It serves over HTTP, or from Dapr inputs when FUNC_CONTEXT says runtime Async.
func OpenFunction(name string, fn OpenFunctionFunc, opts ...Option) {
	register(Registered{Name: name, Open: fn}, opts)
}

// Register registers r (one of its HTTP, CloudEvent and Open set) with opts
// applied, or says why it cannot: the registration API of frameworks built
// on this one.
func Register(r Registered, opts ...Option) error {
	if r.Name != "" && r.HTTP == nil && r.CloudEvent == nil && r.Open == nil {
		return fmt.Errorf("%q registered with a nil function", r.Name)
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&r); err != nil {
			return fmt.Errorf("%q: %w", r.Name, err)
		}
	}
	return registry.Add(r.Name, r)
}

func register(r Registered, opts []Option) {
	if err := Register(r, opts...); err != nil {
		panic("functions: " + err.Error())
	}
}

// Lookup returns the function registered as name.
func Lookup(name string) (Registered, bool) { return registry.Get(name) }

// Names lists the registered function names, sorted.
func Names() []string { return registry.Names() }
