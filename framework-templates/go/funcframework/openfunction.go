//go:build go1.24

package funcframework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/dapr"
	"kiln.dev/functions-framework-go/funccontext"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/hooks"
	"kiln.dev/functions-framework-go/internal/server"
	"kiln.dev/functions-framework-go/ofctx"
	"kiln.dev/functions-framework-go/tracing"
)

func init() { serveOpenFunction = ServeOpenFunction }

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

// listen opens $PORT, else FUNC_CONTEXT's port, else DefaultPort.
func (rt *OpenRuntime) listen() (net.Listener, error) {
	port, err := Port()
	if err != nil {
		return nil, err
	}
	if rt.Ctx != nil && rt.Ctx.Port != 0 && os.Getenv("PORT") == "" {
		port = strconv.Itoa(rt.Ctx.Port)
	}
	ln, err := net.Listen("tcp", ":"+port)
	if err != nil {
		return nil, fmt.Errorf("listening on port %s (env PORT, else FUNC_CONTEXT port): %w", port, err)
	}
	return ln, nil
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

// HTTPHandler serves the function over HTTP (Knative runtime, and the sync
// side of a sync→async bridge). The body, or a CloudEvent's data, is the
// input; the Out's code and data are the response, whatever the code.
func (rt *OpenRuntime) HTTPHandler() http.Handler {
	max := maxBodyBytes()
	return frameWith(max, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/dapr/") {
			// daprd beside an HTTP function asks for subscriptions and config
			// at start-up; they are not invocations.
			http.NotFound(w, r)
			return
		}
		ctx, span := rt.Tracer.Start(r.Context(), rt.Name, tracing.KindServer, r.Header)
		defer span.End()
		span.SetAttr("faas.trigger", "http")
		span.SetAttr("http.request.method", r.Method)
		var data []byte
		var err error
		if cloudevents.IsCloudEvent(r) {
			var e cloudevents.Event
			if e, err = cloudevents.FromRequestLimited(r, max); err == nil {
				data = e.Data
			}
		} else {
			data, err = io.ReadAll(r.Body)
		}
		if err != nil {
			span.SetCode(bodyError(w, err, max))
			return
		}
		tw, _ := w.(*trackingWriter)
		c := &invocation{rt: rt, native: ctx, sync: &ofctx.SyncRequest{ResponseWriter: w, Request: r}}
		out := rt.invoke(c, data)
		span.SetCode(out.Code)
		span.Fail(c.err)
		if tw != nil && tw.wrote {
			return // the function answered through GetSyncRequest().ResponseWriter
		}
		for k, v := range out.Metadata {
			if strings.HasPrefix(strings.ToLower(k), "http-header-") {
				w.Header().Set(k[len("http-header-"):], v)
			}
		}
		if w.Header().Get("Content-Type") == "" && len(out.Data) > 0 {
			w.Header().Set("Content-Type", http.DetectContentType(out.Data))
		}
		w.WriteHeader(out.Code)
		w.Write(out.Data)
	}))
}

// App maps FUNC_CONTEXT inputs onto Dapr's callback protocol.
func (rt *OpenRuntime) App() (*dapr.App, error) {
	if rt.Ctx == nil || len(rt.Ctx.Inputs) == 0 {
		return nil, errors.New(`FUNC_CONTEXT has no inputs: an async function needs at least one Dapr binding or pub/sub input (inputs: {"name": {"componentName": ..., "componentType": "bindings.mqtt3"}})`)
	}
	byBinding := map[string]string{}
	byTopic := map[string]string{}
	app := &dapr.App{MaxBodyBytes: maxBodyBytes()}
	names := make([]string, 0, len(rt.Ctx.Inputs))
	for n := range rt.Ctx.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		in := rt.Ctx.Inputs[n]
		switch {
		case in.IsPubSub():
			app.Subscriptions = append(app.Subscriptions, dapr.Subscription{PubsubName: in.ComponentName, Topic: in.Topic, Metadata: in.Metadata})
			byTopic[in.ComponentName+"/"+in.Topic] = n
		case in.IsBinding():
			app.Bindings = append(app.Bindings, in.ComponentName)
			byBinding[in.ComponentName] = n
		default:
			return nil, fmt.Errorf("FUNC_CONTEXT inputs.%s.componentType=%q: an input must be a bindings.* or pubsub.* component", n, in.ComponentType)
		}
	}
	app.OnBinding = func(ctx context.Context, ev *dapr.BindingEvent, h http.Header) ([]byte, error) {
		ctx, span := rt.Tracer.Start(ctx, rt.Name, tracing.KindConsumer, h)
		defer span.End()
		span.SetAttr("faas.trigger", "pubsub")
		span.SetAttr("messaging.source.name", ev.Name)
		c := &invocation{rt: rt, native: ctx, input: byBinding[ev.Name], binding: ev}
		out := rt.invoke(c, ev.Data)
		span.SetCode(out.Code)
		span.Fail(c.err)
		if out.Code >= 400 {
			return nil, fmt.Errorf("function %s answered %d: %s", rt.Name, out.Code, out.Data)
		}
		return out.Data, nil
	}
	app.OnTopic = func(ctx context.Context, ev *dapr.TopicEvent, h http.Header) dapr.TopicStatus {
		ctx, span := rt.Tracer.Start(ctx, rt.Name, tracing.KindConsumer, h)
		defer span.End()
		span.SetAttr("faas.trigger", "pubsub")
		span.SetAttr("messaging.destination.name", ev.Topic)
		c := &invocation{rt: rt, native: ctx, input: byTopic[ev.PubsubName+"/"+ev.Topic], topic: ev}
		out := rt.invoke(c, ev.Data)
		span.SetCode(out.Code)
		span.Fail(c.err)
		switch {
		case out.Metadata["retry"] == "true" || out.Code >= 500:
			return dapr.TopicRetry
		case out.Code >= 400:
			return dapr.TopicDrop
		}
		return dapr.TopicSuccess
	}
	return app, nil
}

// ServeOpenFunction serves fn until SIGTERM/SIGINT: from Dapr inputs when
// FUNC_CONTEXT says runtime Async, else over HTTP.
func ServeOpenFunction(name string, fn functions.OpenFunctionFunc) error {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	rt, err := NewOpenRuntime(name, fn)
	if err != nil {
		return err
	}
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		rt.Tracer.Shutdown(sctx)
	}()
	ln, err := rt.listen()
	if err != nil {
		return err
	}
	return rt.serve(ctx, ln)
}

// serve serves on ln until ctx ends: Dapr's app protocol when Async, else HTTP.
func (rt *OpenRuntime) serve(ctx context.Context, ln net.Listener) error {
	if !rt.Async() {
		return rt.serveDapr(ctx, func(ctx context.Context) error { return ServeListener(ctx, ln, rt.HTTPHandler()) })
	}
	return rt.serveAsync(ctx, ln)
}

// ServeAsync serves Dapr's app callback protocol (APP_PROTOCOL grpc, the
// default, or http) on $PORT, else FUNC_CONTEXT's port, else 8080.
func (rt *OpenRuntime) ServeAsync(ctx context.Context) error {
	ln, err := rt.listen()
	if err != nil {
		return err
	}
	return rt.serveAsync(ctx, ln)
}

// serveAsync serves Dapr's app callback protocol on ln; a bad setting closes
// ln and is returned before serving.
func (rt *OpenRuntime) serveAsync(ctx context.Context, ln net.Listener) error {
	app, err := rt.App()
	if err == nil {
		_, err = server.MaxBodyBytes()
	}
	protocol := strings.ToLower(os.Getenv("APP_PROTOCOL"))
	if protocol == "" {
		protocol = "grpc"
	}
	if err == nil && protocol != "grpc" && protocol != "http" {
		err = fmt.Errorf("env APP_PROTOCOL=%q: use grpc (the default) or http, the same as daprd's --app-protocol", protocol)
	}
	if err != nil {
		ln.Close()
		return err
	}
	log.Printf("kiln functions framework %s: async function %q, Dapr app protocol %s on %s; input bindings %v, subscriptions %v, outputs %v",
		Version, rt.Name, protocol, ln.Addr(), app.Bindings, subscriptionNames(app.Subscriptions), rt.outputNames())
	return rt.serveDapr(ctx, func(ctx context.Context) error {
		if protocol == "http" {
			return app.ServeHTTP(ctx, ln)
		}
		return app.ServeGRPC(ctx, ln)
	})
}

// serveDapr runs serve and, when there are outputs, checks daprd comes up
// within DAPR_WAIT_TIMEOUT; if it does not, it stops with that error.
func (rt *OpenRuntime) serveDapr(ctx context.Context, serve func(context.Context) error) error {
	if rt.Dapr == nil {
		return serve(ctx)
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		if err := rt.Dapr.WaitReady(ctx); err != nil && ctx.Err() == nil {
			cancel(err)
		}
	}()
	err := serve(ctx)
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

func subscriptionNames(subs []dapr.Subscription) []string {
	var out []string
	for _, s := range subs {
		out = append(out, s.PubsubName+"/"+s.Topic)
	}
	return out
}
