//go:build go1.24

package funcframework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/ofctx"
)

const asyncContext = `{"name":"router","runtime":"Async","port":"8080",
 "inputs":{"in":{"componentName":"mqtt-in","componentType":"bindings.mqtt3"},
           "orders":{"componentName":"ps","componentType":"pubsub.redis","uri":"orders"}},
 "outputs":{"out":{"componentName":"mqtt-out","componentType":"bindings.mqtt3","operation":"create","metadata":{"qos":"1"}},
            "pub":{"componentName":"ps","componentType":"pubsub.redis","uri":"results"},
            "broken":{"componentName":"broken-out","componentType":"bindings.kafka","operation":"create"}}}`

// router acts on its input's text: send it on, fail, or answer a code.
func router(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	cmd, arg, _ := strings.Cut(string(in), " ")
	who := ctx.GetInputName()
	switch {
	case ctx.GetBindingEvent() != nil:
		who += "/binding " + ctx.GetBindingEvent().Name
	case ctx.GetTopicEvent() != nil:
		who += "/topic " + ctx.GetTopicEvent().Topic
	}
	switch cmd {
	case "send":
		resp, err := ctx.Send(arg, []byte(who))
		if err != nil {
			return ctx.ReturnOnInternalError(), err
		}
		return (&ofctx.FunctionOut{}).WithData(resp), nil
	case "code":
		var code int
		fmt.Sscan(arg, &code)
		return &ofctx.FunctionOut{Code: code, Data: []byte(who)}, nil
	case "retry":
		return &ofctx.FunctionOut{Code: 200, Metadata: map[string]string{"retry": "true"}}, nil
	case "fail":
		return nil, errors.New("failed on purpose")
	case "outputs":
		return (&ofctx.FunctionOut{}).WithData([]byte(strings.Join(ctx.GetOutputs(), ","))), nil
	}
	return ctx.ReturnOnSuccess(), nil
}

// startAsync serves router from Dapr inputs (APP_PROTOCOL protocol) with a
// fake daprd for its outputs.
func startAsync(t *testing.T, protocol string) (*OpenRuntime, *fakeDaprd, string) {
	t.Helper()
	d := startFakeDaprd(t)
	t.Setenv("FUNC_CONTEXT", asyncContext)
	t.Setenv("DAPR_HOST", "127.0.0.1")
	t.Setenv("DAPR_GRPC_PORT", d.port())
	t.Setenv("APP_PROTOCOL", protocol)
	rt, err := NewOpenRuntime("ignored", router)
	if err != nil {
		t.Fatal(err)
	}
	if !rt.Async() || rt.Name != "router" {
		t.Fatalf("runtime %+v: want the async function named by FUNC_CONTEXT", rt)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- rt.serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := await(t, done, "async server's return"); err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return rt, d, ln.Addr().String()
}

func TestAsyncOverHTTP(t *testing.T) {
	_, d, addr := startAsync(t, "http")
	base := "http://" + addr
	c := client(t)
	if r := get(t, base+"/dapr/subscribe"); r.code != 200 || r.body != `[{"pubsubname":"ps","topic":"orders","route":"/dapr/topics/ps/orders"}]`+"\n" {
		t.Fatalf("subscriptions: %+v", r)
	}
	req, _ := http.NewRequest(http.MethodOptions, base+"/mqtt-in", nil)
	if r := do(c, req); r.code != 200 {
		t.Fatalf("daprd's binding probe: %+v", r)
	}
	binding := func(body string) result {
		req, _ := http.NewRequest(http.MethodPost, base+"/mqtt-in", strings.NewReader(body))
		return do(c, req)
	}
	topic := func(data string) string {
		ev, _ := json.Marshal(map[string]string{"specversion": "1.0", "id": "1", "source": "s", "type": "t", "datacontenttype": "text/plain", "data": data})
		req, _ := http.NewRequest(http.MethodPost, base+"/dapr/topics/ps/orders", strings.NewReader(string(ev)))
		req.Header.Set("Content-Type", "application/cloudevents+json")
		r := do(c, req)
		if r.code != 200 {
			t.Fatalf("topic delivery of %q: %+v", data, r)
		}
		return r.body
	}
	for _, tt := range []struct{ in, code, body string }{
		{"send out", "200", "binding says ok to in/binding mqtt-in"},
		{"send pub", "200", ""},
		{"send broken", "500", "function router answered 500: dapr output binding \"broken-out\" (operation \"create\"): gRPC status 13: binding broken-out failed\n"},
		{"send nowhere", "500", "function router answered 500: Send(\"nowhere\"): no such output in FUNC_CONTEXT outputs (declared: [broken out pub])\n"},
		{"outputs", "200", "broken,out,pub"},
		{"code 399", "200", "in/binding mqtt-in"},
		{"code 400", "500", "function router answered 400: in/binding mqtt-in\n"},
		{"fail", "500", "function router answered 500: failed on purpose\n"},
	} {
		if r := binding(tt.in); fmt.Sprint(r.code) != tt.code || r.body != tt.body {
			t.Errorf("binding %q: %d %q, want %s %q", tt.in, r.code, r.body, tt.code, tt.body)
		}
	}
	for _, tt := range []struct{ in, status string }{
		{"send out", "SUCCESS"}, {"code 399", "SUCCESS"}, {"code 400", "DROP"}, {"code 499", "DROP"},
		{"code 500", "RETRY"}, {"retry", "RETRY"}, {"fail", "RETRY"},
	} {
		if got := topic(tt.in); got != `{"status":"`+tt.status+`"}` {
			t.Errorf("topic %q: %s, want %s", tt.in, got, tt.status)
		}
	}
	calls := d.received()
	want := []string{"InvokeBinding mqtt-out create in/binding mqtt-in qos=1", "PublishEvent ps results in/binding mqtt-in",
		"InvokeBinding broken-out create in/binding mqtt-in", "InvokeBinding mqtt-out create orders/topic orders qos=1"}
	var got []string
	for _, c := range calls {
		switch c.method {
		case "/dapr.proto.runtime.v1.Dapr/InvokeBinding":
			s := "InvokeBinding " + c.req.str[1] + " " + c.req.str[4] + " " + c.req.str[2]
			for k, v := range c.req.kv[3] {
				s += " " + k + "=" + v
			}
			got = append(got, s)
		case "/dapr.proto.runtime.v1.Dapr/PublishEvent":
			got = append(got, "PublishEvent "+c.req.str[1]+" "+c.req.str[2]+" "+c.req.str[3])
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("daprd got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestOutputsContinueTheTrace: with tracing on, an output call carries a
// traceparent in the trace of the event that started the invocation.
func TestOutputsContinueTheTrace(t *testing.T) {
	collector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.Copy(io.Discard, r.Body) }))
	defer collector.Close()
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", collector.URL)
	rt, d, addr := startAsync(t, "http")
	defer rt.Tracer.Shutdown(context.Background())
	req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/mqtt-in", strings.NewReader("send out"))
	req.Header.Set("Traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	if r := do(client(t), req); r.code != 200 {
		t.Fatalf("binding event: %+v", r)
	}
	calls := d.received()
	if len(calls) != 1 || !strings.HasPrefix(calls[0].traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-") || strings.HasSuffix(calls[0].traceparent, "-00f067aa0ba902b7-01") {
		t.Fatalf("daprd got %+v: want a traceparent in the event's trace, from a span of its own", calls)
	}
}

func TestAsyncOverGRPC(t *testing.T) {
	_, d, addr := startAsync(t, "grpc")
	const cb = "/dapr.proto.runtime.v1.AppCallback/"
	if resp, status, _ := grpcCall(t, addr, cb+"ListInputBindings", nil); status != "0" || decodePB(resp).str[1] != "mqtt-in" {
		t.Fatalf("ListInputBindings: %q %s", resp, status)
	}
	resp, status, _ := grpcCall(t, addr, cb+"OnBindingEvent", encodePB(map[int]string{1: "mqtt-in", 2: "send out"}))
	if status != "0" || decodePB(resp).str[4] != "binding says ok to in/binding mqtt-in" {
		t.Fatalf("OnBindingEvent: %q %s", resp, status)
	}
	_, status, message := grpcCall(t, addr, cb+"OnBindingEvent", encodePB(map[int]string{1: "mqtt-in", 2: "fail"}))
	if status != "13" || message != "function router answered 500: failed on purpose" {
		t.Fatalf("failing OnBindingEvent: %s %q", status, message)
	}
	resp, status, _ = grpcCall(t, addr, cb+"OnTopicEvent", encodePB(map[int]string{6: "orders", 7: "code 503", 8: "ps"}))
	if status != "0" || !reflect.DeepEqual(resp, []byte{0x08, 0x01}) { // status: RETRY
		t.Fatalf("OnTopicEvent: %x %s", resp, status)
	}
	if n := len(d.received()); n != 1 {
		t.Fatalf("daprd got %d calls, want 1", n)
	}
}

// TestAsyncStartErrors: a setting that cannot work stops the function before
// it serves, saying which, and releases its port.
func TestAsyncStartErrors(t *testing.T) {
	for _, tt := range []struct{ name, protocol, maxBody, want string }{
		{"protocol", "ftp", "", `env APP_PROTOCOL="ftp": use grpc (the default) or http, the same as daprd's --app-protocol`},
		{"body limit", "http", "0", `env KILN_MAX_BODY_BYTES="0": want a positive number of bytes (unset: 33554432, 32 MiB)`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FUNC_CONTEXT", `{"name":"f","runtime":"Async","inputs":{"in":{"componentName":"c","componentType":"bindings.cron"}}}`)
			t.Setenv("APP_PROTOCOL", tt.protocol)
			t.Setenv("KILN_MAX_BODY_BYTES", tt.maxBody)
			rt, err := NewOpenRuntime("f", router)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			if err := rt.serve(context.Background(), ln); err == nil || err.Error() != tt.want {
				t.Fatalf("serve: %v, want %q", err, tt.want)
			}
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				c.Close()
				t.Fatal("the listener was left open")
			}
		})
	}
	t.Setenv("FUNC_CONTEXT", `{"name":"f","runtime":"Knative"}`)
	rt, err := NewOpenRuntime("f", router)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.App(); err == nil || !strings.HasPrefix(err.Error(), "FUNC_CONTEXT has no inputs") {
		t.Fatalf("App without inputs: %v", err)
	}
	if _, err := (&OpenRuntime{}).App(); err == nil {
		t.Fatal("App without FUNC_CONTEXT")
	}
}

func TestNewOpenRuntimeErrors(t *testing.T) {
	for _, tt := range []struct{ name, ctx, grpcPort, want string }{
		{"bad FUNC_CONTEXT", `{"name":"f","runtime":"Async"}`, "", "FUNC_CONTEXT: inputs: empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)"},
		{"duplicate inputs", `{"name":"f","runtime":"Async","inputs":{"a":{"componentName":"c","componentType":"bindings.cron"},"b":{"componentName":"c","componentType":"bindings.cron"}}}`, "",
			`FUNC_CONTEXT: inputs.b.componentName: binding component "c" is also inputs.a's; Dapr delivers its events to one input, so declare it once`},
		{"unknown pre-hook", `{"name":"f","runtime":"Knative","prePlugins":["a","nope"]}`, "", `FUNC_CONTEXT prePlugins[1]: no hook "nope" is registered`},
		{"bad daprd port", `{"name":"f","runtime":"Knative","outputs":{"o":{"componentName":"c","componentType":"bindings.kafka"}}}`, "x",
			`env DAPR_GRPC_PORT="x" is not a TCP port; set it to daprd's --dapr-grpc-port`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("FUNC_CONTEXT", tt.ctx)
			t.Setenv("DAPR_GRPC_PORT", tt.grpcPort)
			if _, err := NewOpenRuntime("f", router); err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("err = %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestOpenFunctionWithoutFuncContext: a plain HTTP OpenFunction has no
// outputs to send to and serves on its own name.
func TestOpenFunctionWithoutFuncContext(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", "")
	rt, err := NewOpenRuntime("plain", router)
	if err != nil || rt.Async() || rt.Name != "plain" || rt.Dapr != nil || rt.outputNames() != nil {
		t.Fatalf("%+v %v", rt, err)
	}
	s := start(t, rt.HTTPHandler(), nil)
	if r := post(t, s.url, "text/plain", strings.NewReader("send out"), nil); r.code != 500 ||
		r.body != `Send("out"): no such output in FUNC_CONTEXT outputs (declared: [])` {
		t.Fatalf("send without outputs: %+v", r)
	}
	if r := get(t, s.url+"/dapr/config"); r.code != 404 {
		t.Fatalf("daprd's probe of /dapr/config: %+v", r)
	}
	ev := map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "s", "Ce-Type": "t"}
	if r := post(t, s.url, "text/plain", strings.NewReader("code 202"), ev); r.code != 202 || r.body != "" {
		t.Fatalf("a CloudEvent's data is the input: %+v", r)
	}
	delete(ev, "Ce-Type")
	if r := post(t, s.url, "text/plain", strings.NewReader("code 202"), ev); r.code != 400 || r.body != "cloudevents: missing required attribute(s): type\n" {
		t.Fatalf("a malformed CloudEvent: %+v", r)
	}
	// The function may answer through the ResponseWriter itself.
	rt.Fn = func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		w := ctx.GetSyncRequest().ResponseWriter
		w.Header().Set("X-Own", "1")
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "mine")
		return ctx.ReturnOnSuccess(), nil
	}
	if r := post(t, s.url, "text/plain", strings.NewReader("x"), nil); r.code != http.StatusTeapot || r.body != "mine" {
		t.Fatalf("function's own response: %+v", r)
	}
	rt.Fn = func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		return &ofctx.FunctionOut{Code: 201, Data: []byte("{}"), Metadata: map[string]string{"http-header-X-Kind": "json", "other": "x"}}, nil
	}
	req, _ := http.NewRequest(http.MethodPost, s.url, nil)
	resp, err := client(t).Do(req)
	if err != nil || resp.StatusCode != 201 || resp.Header.Get("X-Kind") != "json" || resp.Header.Get("Other") != "" ||
		resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Fatalf("Out metadata as headers: %v %v", resp, err)
	}
	resp.Body.Close()
}
