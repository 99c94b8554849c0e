// Package functions is OpenFunction's declarative registration API on Kiln's
// framework: HTTP, CloudEvent and OpenFunction functions, each at a path
// (WithFunctionPath, "/" by default) and optionally limited to methods.
//
// With FUNC_NAME (FUNCTION_TARGET) naming a registered function, Kiln serves
// that one at its path; when it names none (OpenFunction's samples set it to
// a name nothing registers) or is unset, every registered function is served
// at its own path. A path "/" matches every path no other function takes.
package functions

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"strings"

	"github.com/cloudevents/sdk-go/v2/event"
	kce "kiln.dev/functions-framework-go/cloudevents"
	kfunctions "kiln.dev/functions-framework-go/functions"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/internal/adapt"
	"github.com/OpenFunction/functions-framework-go/internal/cevent"
)

// Signature types, as OpenFunction names them.
const (
	HTTPType         = "http"
	CloudEventType   = "cloudevent"
	OpenFunctionType = "openfunction"
)

// options collects what FunctionOptions set.
type options struct {
	path    string
	methods []string
}

// FunctionOption sets how a function is served.
type FunctionOption func() (func(*options), error)

// WithFunctionPath serves the function at a path template that starts with
// "/": literal text, {name} (one path segment) and {name:regexp}. Functions
// read the variables with ofctx.VarsFromCtx(r.Context()).
func WithFunctionPath(path string) FunctionOption {
	return func() (func(*options), error) {
		if path == "" {
			return nil, errors.New("Empty function path")
		}
		if path[0] != '/' {
			return nil, fmt.Errorf("Function path must start with '/': %s", path)
		}
		return func(o *options) { o.path = path }, nil
	}
}

// WithFunctionMethods limits the function to these HTTP methods (not for
// CloudEvent functions, which take POST).
func WithFunctionMethods(methods ...string) FunctionOption {
	return func() (func(*options), error) {
		if len(methods) == 0 {
			return nil, errors.New("Empty function methods")
		}
		up := make([]string, len(methods))
		for i, m := range methods {
			up[i] = strings.ToUpper(m)
		}
		return func(o *options) { o.methods = up }, nil
	}
}

var namePattern = regexp.MustCompile(`^[A-Za-z](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$`)

// HTTP registers an HTTP function.
func HTTP(name string, fn func(http.ResponseWriter, *http.Request), options ...FunctionOption) {
	if fn == nil {
		fail(name, errors.New("Function is nil"))
	}
	register(kfunctions.Registered{Name: name, HTTP: fn}, HTTPType, options)
}

// CloudEvent registers a CloudEvent function: it gets sdk-go's event.Event,
// from binary or structured mode.
func CloudEvent(name string, fn func(context.Context, event.Event) error, options ...FunctionOption) {
	if fn == nil {
		fail(name, errors.New("Function is nil"))
	}
	register(kfunctions.Registered{Name: name, CloudEvent: CloudEventAdapter(fn)}, CloudEventType, options)
}

// OpenFunction registers an OpenFunction-signature function: over HTTP it
// gets the body (a CloudEvent's data), from Dapr inputs the event's data.
func OpenFunction(name string, fn func(ofctx.Context, []byte) (ofctx.Out, error), options ...FunctionOption) {
	if fn == nil {
		fail(name, errors.New("Function is nil"))
	}
	register(kfunctions.Registered{Name: name, Open: adapt.Kiln(fn)}, OpenFunctionType, options)
}

// CloudEventAdapter turns an sdk-go CloudEvent function into Kiln's (a Kiln
// addition, for framework.Register).
func CloudEventAdapter(fn func(context.Context, event.Event) error) func(context.Context, kce.Event) error {
	return func(ctx context.Context, e kce.Event) error {
		se, err := cevent.ToSDK(e)
		if err != nil {
			return err
		}
		return fn(ctx, se)
	}
}

func register(r kfunctions.Registered, kind string, opts []FunctionOption) {
	if err := Register(r, kind, opts...); err != nil {
		fail(r.Name, err)
	}
}

// Register registers r, of signature kind, with OpenFunction's options (a
// Kiln addition, for framework.Register): the name must match OpenFunction's
// pattern, the path is "/" unless set, a CloudEvent function takes no methods.
func Register(r kfunctions.Registered, kind string, opts ...FunctionOption) error {
	if !namePattern.MatchString(r.Name) {
		return fmt.Errorf("Invalid function name: %s, not matching the pattern: %s", r.Name, namePattern)
	}
	o := options{path: "/"}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		set, err := opt()
		if err != nil {
			return err
		}
		if set != nil {
			set(&o)
		}
	}
	if kind == CloudEventType && len(o.methods) > 0 {
		return errors.New("Not allow to set function methods for CloudEvent function")
	}
	kopts := []kfunctions.Option{kfunctions.WithPath(o.path)}
	if len(o.methods) > 0 {
		kopts = append(kopts, kfunctions.WithMethods(o.methods...))
	}
	return kfunctions.Register(r, kopts...)
}

func fail(name string, err error) {
	log.Fatalf("failure to register function %s: %s", name, err)
}
