//go:build go1.24

package funcframework

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"os"
	"runtime/debug"
	"sort"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/dapr"
	"kiln.dev/functions-framework-go/funccontext"
	"kiln.dev/functions-framework-go/hooks"
	"kiln.dev/functions-framework-go/ofctx"
	"kiln.dev/functions-framework-go/tracing"
)

func init() {
	serveOpenFunction = serveOpen
	serveAllOpen = serveAllWithOpen
}

// DefaultGCPercent is the GC target an OpenFunction-signature function runs
// with when GOGC is unset. A function's live heap is small, so Go's default
// (100, over a 4 MiB minimum) collects every few hundred events; 400 cut the
// function's CPU per message by about a quarter in make bench-async.
const DefaultGCPercent = 400

func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(DefaultGCPercent)
	}
}

// OpenRuntime runs one OpenFunction-signature function: it makes a Context per
// invocation, runs the hooks around the function, traces it and sends outputs
// through Dapr.
type OpenRuntime struct {
	Name      string
	Fn        ofctx.Function
	Ctx       *funccontext.Context // may be nil for a plain HTTP function
	Dapr      *dapr.Client         // nil when there are no outputs
	Tracer    *tracing.Tracer      // nil when tracing is off
	pre, post []hooks.Factory
}

// NewOpenRuntime reads FUNC_CONTEXT (when set), the hooks it names, the
// OTEL_* tracing settings and the Dapr client settings.
func NewOpenRuntime(name string, fn ofctx.Function) (*OpenRuntime, error) {
	rt := &OpenRuntime{Name: name, Fn: fn}
	if os.Getenv(funccontext.Env) != "" {
		fc, err := funccontext.FromEnv()
		if err != nil {
			return nil, err
		}
		rt.Ctx = fc
		if fc.Name != "" {
			rt.Name = fc.Name
		}
		if rt.pre, err = hooks.Resolve("prePlugins", fc.PreHooks); err != nil {
			return nil, err
		}
		if rt.post, err = hooks.Resolve("postPlugins", fc.PostHooks); err != nil {
			return nil, err
		}
		if len(fc.Outputs) > 0 {
			if rt.Dapr, err = dapr.NewClient(); err != nil {
				return nil, err
			}
		}
	}
	var tc *funccontext.Tracing
	if rt.Ctx != nil {
		tc = rt.Ctx.Tracing
	}
	cfg, err := tracing.ConfigFromEnv(rt.Name, tc)
	if err != nil {
		return nil, err
	}
	rt.Tracer = tracing.New(cfg, Version)
	return rt, nil
}

// invocation is the Context of one call.
type invocation struct {
	rt      *OpenRuntime
	native  context.Context
	input   string
	binding *dapr.BindingEvent
	topic   *dapr.TopicEvent
	sync    *ofctx.SyncRequest
	event   *cloudevents.Event
	out     ofctx.Out
	err     error
	values  map[string]any
}

func (c *invocation) GetNativeContext() context.Context   { return c.native }
func (c *invocation) GetName() string                     { return c.rt.Name }
func (c *invocation) GetInputName() string                { return c.input }
func (c *invocation) GetBindingEvent() *dapr.BindingEvent { return c.binding }
func (c *invocation) GetTopicEvent() *dapr.TopicEvent     { return c.topic }
func (c *invocation) GetSyncRequest() *ofctx.SyncRequest  { return c.sync }
func (c *invocation) GetCloudEvent() *cloudevents.Event   { return c.event }
func (c *invocation) ReturnOnSuccess() ofctx.Out          { return ofctx.Success() }
func (c *invocation) ReturnOnInternalError() ofctx.Out    { return ofctx.InternalError() }
func (c *invocation) GetOut() ofctx.Out                   { return c.out }
func (c *invocation) GetError() error                     { return c.err }
func (c *invocation) Values() map[string]any {
	if c.values == nil {
		c.values = map[string]any{}
	}
	return c.values
}

func (c *invocation) GetOutputs() []string { return c.rt.outputNames() }

// Async says whether FUNC_CONTEXT asks for Dapr inputs (runtime Async).
func (rt *OpenRuntime) Async() bool { return rt.Ctx != nil && rt.Ctx.Runtime == funccontext.Async }

// outputNames lists FUNC_CONTEXT's outputs, sorted.
func (rt *OpenRuntime) outputNames() []string {
	if rt.Ctx == nil {
		return nil
	}
	names := make([]string, 0, len(rt.Ctx.Outputs))
	for n := range rt.Ctx.Outputs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Send delivers data to the output named outputName in FUNC_CONTEXT.
func (c *invocation) Send(outputName string, data []byte) ([]byte, error) {
	var o funccontext.IO
	ok := false
	if c.rt.Ctx != nil {
		o, ok = c.rt.Ctx.Outputs[outputName]
	}
	if !ok {
		return nil, fmt.Errorf("Send(%q): no such output in FUNC_CONTEXT outputs (declared: %v)", outputName, c.GetOutputs())
	}
	ctx, span := c.rt.Tracer.Start(c.native, "send "+outputName, tracing.KindProducer, nil)
	defer span.End()
	span.SetAttr("messaging.destination.name", o.ComponentName)
	var h http.Header
	if span != nil {
		h = http.Header{}
		span.Inject(h)
	}
	var resp []byte
	var err error
	if o.IsPubSub() {
		ct := "application/octet-stream"
		if json.Valid(data) {
			ct = "application/json"
		}
		err = c.rt.Dapr.Publish(ctx, o.ComponentName, o.Topic, data, ct, o.Metadata, h)
	} else {
		resp, err = c.rt.Dapr.InvokeBinding(ctx, o.ComponentName, o.Operation, data, o.Metadata, h)
	}
	span.Fail(err)
	return resp, err
}

// invoke runs the hooks and the function once, never panicking.
func (rt *OpenRuntime) invoke(c *invocation, data []byte) *ofctx.FunctionOut {
	if len(rt.pre) == 0 && len(rt.post) == 0 {
		out := rt.call(c, data)
		c.out = out
		return out
	}
	// One instance per hook name and invocation: a hook listed in both pre
	// and post keeps its state (a start time, a span) from one to the other.
	instances := map[string]hooks.Hook{}
	hook := func(name string, f hooks.Factory) hooks.Hook {
		h, ok := instances[name]
		if !ok {
			h = f()
			instances[name] = h
		}
		return h
	}
	for i, f := range rt.pre {
		if err := hook(rt.Ctx.PreHooks[i], f).PreHook(c); err != nil {
			c.err = fmt.Errorf("pre-hook %s: %w", rt.Ctx.PreHooks[i], err)
			out := ofctx.InternalError()
			out.Data = []byte(c.err.Error())
			c.out = out
			return out
		}
	}
	out := rt.call(c, data)
	c.out = out
	for i, f := range rt.post {
		if err := hook(rt.Ctx.PostHooks[i], f).PostHook(c); err != nil {
			log.Printf("post-hook %s of %s: %v", rt.Ctx.PostHooks[i], rt.Name, err)
		}
	}
	return out
}

// call runs the function, turning a panic, an error or a nil Out into an Out.
func (rt *OpenRuntime) call(c *invocation, data []byte) (out *ofctx.FunctionOut) {
	defer func() {
		if v := recover(); v != nil {
			log.Printf("function %s panicked: %v\n%s", rt.Name, v, debug.Stack())
			c.err = fmt.Errorf("the function panicked: %v", v)
			out = ofctx.InternalError()
			out.Data = []byte(c.err.Error())
		}
	}()
	o, err := rt.Fn(c, data)
	if o != nil {
		out = o.GetOut()
	}
	if err == nil && out != nil && out.Error != nil {
		err = out.Error
	}
	c.err = err
	switch {
	case out == nil && err != nil:
		out = ofctx.InternalError()
		out.Data = []byte(err.Error())
	case out == nil:
		out = ofctx.Success()
	case out.Code == 0 && err != nil:
		out.Code = http.StatusInternalServerError
	case out.Code == 0:
		out.Code = http.StatusOK
	}
	if err != nil && len(out.Data) == 0 {
		out.Data = []byte(err.Error())
	}
	return out
}
