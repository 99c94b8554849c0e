// Package funcframework is Google's imperative API on Kiln's framework:
// register functions at paths, then Start serves them. With FUNCTION_TARGET
// set, Start serves that declarative function (else the last one registered
// at a path) on every path; without it, every function at its path
// (declarative ones at "/<name>").
package funcframework

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"os/signal"
	"syscall"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	kfuncframework "kiln.dev/functions-framework-go/funcframework"
	kfunctions "kiln.dev/functions-framework-go/functions"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/GoogleCloudPlatform/functions-framework-go/internal/registry"
)

// RegisterHTTPFunctionContext registers fn to be served at path.
func RegisterHTTPFunctionContext(ctx context.Context, path string, fn func(http.ResponseWriter, *http.Request)) error {
	return registerAt(path, kfunctions.Registered{Name: "HTTP function at " + path, HTTP: fn})
}

// RegisterCloudEventFunctionContext registers a CloudEvent function at path.
func RegisterCloudEventFunctionContext(ctx context.Context, path string, fn func(context.Context, cloudevents.Event) error) error {
	return registerAt(path, kfunctions.Registered{Name: "CloudEvent function at " + path, CloudEvent: functions.CloudEventAdapter(fn)})
}

// RegisterHTTPFunction registers fn, which must be an HTTP function, at path.
func RegisterHTTPFunction(path string, fn interface{}) {
	h, ok := fn.(func(http.ResponseWriter, *http.Request))
	if !ok {
		log.Fatalf("RegisterHTTPFunction(%q): expected function to have signature func(http.ResponseWriter, *http.Request), got %T", path, fn)
	}
	if err := RegisterHTTPFunctionContext(context.Background(), path, h); err != nil {
		log.Fatal(err)
	}
}

// ErrBackgroundFunctions says background (legacy event) functions are not
// served by Kiln.
var ErrBackgroundFunctions = errors.New("background event functions (func(context.Context, T) error with Google Cloud event metadata) are not supported by Kiln's compatibility layer: register a CloudEvent function (functions.CloudEvent) instead, or build with BP_FUNCTION_FRAMEWORK=native")

// RegisterEventFunctionContext is refused: see ErrBackgroundFunctions.
func RegisterEventFunctionContext(ctx context.Context, path string, fn interface{}) error {
	return ErrBackgroundFunctions
}

// RegisterEventFunction is refused: see ErrBackgroundFunctions.
func RegisterEventFunction(path string, fn interface{}) {
	log.Fatalf("RegisterEventFunction(%q): %v", path, ErrBackgroundFunctions)
}

func registerAt(path string, r kfunctions.Registered) error {
	if path == "" || path[0] != '/' {
		return fmt.Errorf("function path %q must start with \"/\"", path)
	}
	registry.AddUnnamed(path, r)
	return nil
}

// Start serves the registered functions on port until SIGTERM/SIGINT.
func Start(port string) error { return StartHostPort("", port) }

// StartHostPort serves the registered functions on hostname:port.
func StartHostPort(hostname, port string) error {
	h, err := handler(kfuncframework.Target())
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(hostname, port))
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	return kfuncframework.ServeListener(ctx, ln, h)
}

// handler is what Start serves for target (FUNCTION_TARGET).
func handler(target string) (http.Handler, error) {
	if target != "" {
		r, ok := kfunctions.Lookup(target)
		if !ok {
			f, found := registry.LastUnnamed()
			if !found {
				return nil, fmt.Errorf("no matching function found with name: %q", target)
			}
			r = f.Fn
		}
		r.Path, r.Methods = nil, nil
		return kfuncframework.AllHandler([]kfunctions.Registered{r}, nil)
	}
	var fns []kfunctions.Registered
	for _, f := range registry.All() {
		r := f.Fn
		opt := kfunctions.WithPath(f.Path)
		if err := opt(&r); err != nil {
			return nil, fmt.Errorf("function %s: %w", r.Name, err)
		}
		fns = append(fns, r)
	}
	if len(fns) == 0 {
		return nil, errors.New("no functions are registered: register one with functions.HTTP or funcframework.RegisterHTTPFunctionContext")
	}
	return kfuncframework.AllHandler(fns, nil)
}
