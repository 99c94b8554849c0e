//go:build go1.24

package funcframework

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/dapr"
	"kiln.dev/functions-framework-go/funccontext"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/server"
	"kiln.dev/functions-framework-go/ofctx"
	"kiln.dev/functions-framework-go/tracing"
)

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
		var event *cloudevents.Event
		if cloudevents.IsCloudEvent(r) {
			var e cloudevents.Event
			if e, err = cloudevents.FromRequestLimited(r, max); err == nil {
				data, event = e.Data, &e
			}
		} else {
			data, err = io.ReadAll(r.Body)
		}
		if err != nil {
			span.SetCode(bodyError(w, err, max))
			return
		}
		tw, _ := w.(*trackingWriter)
		c := &invocation{rt: rt, native: ctx, sync: &ofctx.SyncRequest{ResponseWriter: w, Request: r}, event: event}
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
	return serveOpen(functions.Registered{Name: name, Open: fn})
}

// serveOpen is ServeOpenFunction for a registration: over HTTP it answers at
// r's path (functions.WithPath) when it has one.
func serveOpen(r functions.Registered) error {
	tuneGC()
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	rt, err := NewOpenRuntime(r.Name, r.Open)
	if err != nil {
		return err
	}
	defer rt.shutdownTracer()
	ln, err := rt.listen()
	if err != nil {
		return err
	}
	if !rt.Async() {
		h := Routed(r, rt.HTTPHandler())
		return rt.serveDapr(ctx, func(ctx context.Context) error { return ServeListener(ctx, ln, h) })
	}
	return rt.serveAsync(ctx, ln)
}

func (rt *OpenRuntime) shutdownTracer() {
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	rt.Tracer.Shutdown(sctx)
}

// serveAllWithOpen serves several functions at their paths, some with the
// OpenFunction signature. Under FUNC_CONTEXT runtime Async only one function
// may be registered (Dapr's inputs reach one function).
func serveAllWithOpen(fns []functions.Registered) error {
	if os.Getenv(funccontext.Env) != "" {
		fc, err := funccontext.FromEnv()
		if err != nil {
			return err
		}
		if fc.Runtime == funccontext.Async {
			names := make([]string, len(fns))
			for i, r := range fns {
				names[i] = r.Name
			}
			if len(fns) > 1 || fns[0].Open == nil {
				return fmt.Errorf("FUNC_CONTEXT says runtime Async, which serves one OpenFunction-signature function, but %d functions are registered (%s): set FUNCTION_TARGET to the one to serve", len(fns), strings.Join(names, ", "))
			}
			return serveOpen(fns[0])
		}
	}
	tuneGC()
	var rts []*OpenRuntime
	defer func() {
		for _, rt := range rts {
			rt.shutdownTracer()
		}
	}()
	var daprRT *OpenRuntime
	h, err := AllHandler(fns, func(r functions.Registered) (http.Handler, error) {
		rt, err := NewOpenRuntime(r.Name, r.Open)
		if err != nil {
			return nil, err
		}
		rts = append(rts, rt)
		if daprRT == nil && rt.Dapr != nil {
			daprRT = rt
		}
		return rt.HTTPHandler(), nil
	})
	if err != nil {
		return err
	}
	if daprRT == nil {
		return serveRouted(h, fns)
	}
	return daprRT.serveDapr(context.Background(), func(ctx context.Context) error { return serveRoutedCtx(ctx, h, fns) })
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
