// Package functions is Google's declarative registration API on Kiln's
// framework: HTTP, CloudEvent and Typed functions registered by name in an
// init func; FUNC_NAME (FUNCTION_TARGET) picks the one served, on every path.
package functions

import (
	"context"
	"log"
	"net/http"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	kce "kiln.dev/functions-framework-go/cloudevents"
	kfunctions "kiln.dev/functions-framework-go/functions"

	"github.com/GoogleCloudPlatform/functions-framework-go/internal/cevent"
	"github.com/GoogleCloudPlatform/functions-framework-go/internal/registry"
	"github.com/GoogleCloudPlatform/functions-framework-go/internal/typed"
)

// HTTP registers an HTTP function served when FUNCTION_TARGET=name.
func HTTP(name string, fn func(http.ResponseWriter, *http.Request)) {
	register(kfunctions.Registered{Name: name, HTTP: fn})
}

// CloudEvent registers a CloudEvent function served when
// FUNCTION_TARGET=name: it gets sdk-go's event, from binary or structured
// mode; an error it returns is a 500.
func CloudEvent(name string, fn func(context.Context, cloudevents.Event) error) {
	register(kfunctions.Registered{Name: name, CloudEvent: CloudEventAdapter(fn)})
}

// Typed registers a typed function, func(T) (U, error) (or func(T) U,
// func(T) error, func(T)): the JSON request body is decoded into T and the
// result encoded as JSON.
func Typed(name string, fn interface{}) {
	h, err := typed.Handler(fn)
	if err != nil {
		log.Fatalf("failure to register function: %s", err)
	}
	register(kfunctions.Registered{Name: name, HTTP: h.ServeHTTP})
}

// CloudEventAdapter turns an sdk-go CloudEvent function into Kiln's (a Kiln
// addition, used by funcframework).
func CloudEventAdapter(fn func(context.Context, cloudevents.Event) error) func(context.Context, kce.Event) error {
	return func(ctx context.Context, e kce.Event) error {
		se, err := cevent.ToSDK(e)
		if err != nil {
			return err
		}
		return fn(ctx, se)
	}
}

func register(r kfunctions.Registered) {
	if err := kfunctions.Register(r); err != nil {
		log.Fatalf("failure to register function: %s", err)
	}
	registry.AddNamed(r)
}
