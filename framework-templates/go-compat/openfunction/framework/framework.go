// Package framework is OpenFunction's imperative API on Kiln's framework:
// NewFramework, Register (a function under FUNC_CONTEXT's name, at its
// httpPattern), RegisterPlugins and Start, which serves what is registered
// the way Kiln serves declarative functions (FUNCTION_TARGET's, else every
// one at its path).
package framework

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"

	"github.com/cloudevents/sdk-go/v2/event"
	"kiln.dev/functions-framework-go/funccontext"
	"kiln.dev/functions-framework-go/funcframework"
	kfunctions "kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/hooks"
	kofctx "kiln.dev/functions-framework-go/ofctx"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/functions"
	"github.com/OpenFunction/functions-framework-go/internal/adapt"
	"github.com/OpenFunction/functions-framework-go/plugin"
)

// Framework is what NewFramework returns.
type Framework interface {
	Register(ctx context.Context, fn interface{}) error
	RegisterPlugins(customPlugins map[string]plugin.Plugin)
	Start(ctx context.Context) error
	TryRegisterFunctions(ctx context.Context) error
}

type functionsFramework struct {
	name string
}

// NewFramework reads FUNC_CONTEXT (when set) and returns the framework.
func NewFramework() (*functionsFramework, error) {
	name := "function"
	if os.Getenv(funccontext.Env) != "" {
		fc, err := funccontext.FromEnv()
		if err != nil {
			return nil, err
		}
		if fc.Name != "" {
			name = fc.Name
		}
	}
	if t := funcframework.Target(); t != "" {
		name = t
	}
	return &functionsFramework{name: name}, nil
}

// Register registers fn (an HTTP, CloudEvent or OpenFunction-signature
// function) under FUNCTION_TARGET, else FUNC_CONTEXT's name, at FUNC_CONTEXT's
// httpPattern ("/" by default).
func (f *functionsFramework) Register(ctx context.Context, fn interface{}) error {
	path := functions.WithFunctionPath(adapt.HTTPPattern())
	switch fn := fn.(type) {
	case func(http.ResponseWriter, *http.Request):
		return functions.Register(kfunctions.Registered{Name: f.name, HTTP: fn}, functions.HTTPType, path)
	case func(ofctx.Context, []byte) (ofctx.Out, error):
		return functions.Register(kfunctions.Registered{Name: f.name, Open: adapt.Kiln(fn)}, functions.OpenFunctionType, path)
	case func(context.Context, event.Event) error:
		return functions.Register(kfunctions.Registered{Name: f.name, CloudEvent: functions.CloudEventAdapter(fn)}, functions.CloudEventType, path)
	}
	return errors.New("unrecognized function: want func(http.ResponseWriter, *http.Request), func(ofctx.Context, []byte) (ofctx.Out, error) or func(context.Context, cloudevents.Event) error")
}

// TryRegisterFunctions does nothing: declarative functions registered
// themselves with Kiln's framework in their init funcs.
func (f *functionsFramework) TryRegisterFunctions(ctx context.Context) error { return nil }

// RegisterPlugins makes each plugin a Kiln hook of its name.
func (f *functionsFramework) RegisterPlugins(customPlugins map[string]plugin.Plugin) {
	for name, p := range customPlugins {
		if p == nil {
			continue
		}
		name, p := name, p
		func() {
			defer func() {
				if v := recover(); v != nil {
					log.Printf("plugin %s: not registered: %v", name, v)
				}
			}()
			hooks.Register(name, func() hooks.Hook { return &pluginHook{name: name, proto: p} })
		}()
	}
}

// Start serves until SIGTERM/SIGINT.
func (f *functionsFramework) Start(ctx context.Context) error {
	return funcframework.ServeRegistered()
}

// pluginHook runs one plugin as a Kiln hook.
type pluginHook struct {
	name  string
	proto plugin.Plugin
}

const pluginsKey = "openfunction.plugins"

// instance is this invocation's instance of the plugin, and every plugin
// instance of the invocation so far.
func (h *pluginHook) instance(kc kofctx.RuntimeContext) (plugin.Plugin, map[string]plugin.Plugin) {
	all, _ := kc.Values()[pluginsKey].(map[string]plugin.Plugin)
	if all == nil {
		all = map[string]plugin.Plugin{}
		kc.Values()[pluginsKey] = all
	}
	p, ok := all[h.name]
	if !ok {
		if p = h.proto.Init(); p == nil {
			p = h.proto
		}
		all[h.name] = p
	}
	return p, all
}

func (h *pluginHook) PreHook(kc kofctx.RuntimeContext) error {
	p, all := h.instance(kc)
	if err := p.ExecPreHook(adapt.Runtime(kc), all); err != nil {
		log.Printf("plugin %s failed in pre phase: %v", h.name, err)
	}
	return nil
}

func (h *pluginHook) PostHook(kc kofctx.RuntimeContext) error {
	p, all := h.instance(kc)
	if err := p.ExecPostHook(adapt.Runtime(kc), all); err != nil {
		log.Printf("plugin %s failed in post phase: %v", h.name, err)
	}
	return nil
}
