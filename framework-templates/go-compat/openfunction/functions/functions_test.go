package functions_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cloudevents/sdk-go/v2/event"
	kce "kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/funcframework"
	kfunctions "kiln.dev/functions-framework-go/functions"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/functions"
)

var (
	seenMu sync.Mutex
	seen   []event.Event
)

// Registered once per process, as a function package's init func does.
func init() {
	functions.HTTP("HelloWorld", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "Hello, %s!\n", ofctx.VarsFromCtx(r.Context())["greeting"])
	}, functions.WithFunctionPath("/{greeting}"))
	functions.HTTP("Hello", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]string{"hello": ofctx.URLParamFromCtx(r.Context(), "name")})
	}, functions.WithFunctionPath("/hello/{name}"), functions.WithFunctionMethods("GET", "post"))
	functions.CloudEvent("Foo", func(ctx context.Context, e event.Event) error {
		var data map[string]string
		if err := e.DataAs(&data); err != nil {
			return err
		}
		if data["fail"] != "" {
			return errors.New(data["fail"])
		}
		seenMu.Lock()
		defer seenMu.Unlock()
		seen = append(seen, e)
		return nil
	}, functions.WithFunctionPath("/foo/{name}"))
	functions.OpenFunction("Bar", func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		name := ofctx.VarsFromCtx(ctx.GetNativeContext())["name"]
		ce := ctx.GetCloudEvent()
		how := "http"
		if ce != nil && ce.ID() != "" {
			how = "event " + ce.ID()
		}
		if ctx.GetSyncRequest().Request == nil {
			return ctx.ReturnOnInternalError(), errors.New("no sync request over HTTP")
		}
		return ctx.ReturnOnSuccess().WithData([]byte(fmt.Sprintf("%s %s %s", name, how, in))), nil
	}, functions.WithFunctionPath("/bar/{name}"))
}

// serve serves the named registrations the way Kiln's framework serves every
// function with a path.
func serve(t *testing.T, names ...string) string {
	t.Helper()
	var fns []kfunctions.Registered
	for _, n := range names {
		r, ok := kfunctions.Lookup(n)
		if !ok {
			t.Fatalf("%s is not registered with Kiln's framework", n)
		}
		fns = append(fns, r)
	}
	h, err := funcframework.AllHandler(fns, func(r kfunctions.Registered) (http.Handler, error) {
		rt, err := funcframework.NewOpenRuntime(r.Name, r.Open)
		if err != nil {
			return nil, err
		}
		return rt.HTTPHandler(), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func call(t *testing.T, req *http.Request) (int, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func req(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPathsAndVariables(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", "")
	url := serve(t, "HelloWorld", "Hello", "Bar")
	for _, tt := range []struct {
		method, path, body string
		code               int
		want               string
	}{
		{"GET", "/World", "", 200, "Hello, World!\n"},
		{"GET", "/OpenFunction", "", 200, "Hello, OpenFunction!\n"},
		{"POST", "/hello/openfunction", "", 200, `{"hello":"openfunction"}` + "\n"},
		{"PUT", "/hello/openfunction", "", 405, ""},
		{"GET", "/bar/openfunction", `{"data":"hello"}`, 200, `openfunction http {"data":"hello"}`},
		{"GET", "/a/b", "", 404, ""},
	} {
		code, body := call(t, req(t, tt.method, url+tt.path, tt.body))
		if code != tt.code || (tt.want != "" && body != tt.want) {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, code, body, tt.code, tt.want)
		}
	}
}

func fixture(id string) kce.Event {
	return kce.Event{SpecVersion: "1.0", ID: id, Source: "io.openfunction.samples/helloworldsource", Type: "io.openfunction.samples.helloworld",
		Time: "2020-09-29T11:32:00.000Z", DataContentType: "application/json", Extensions: map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		Data: []byte(`{"data":"hello"}`)}
}

func TestCloudEventFunctionGetsSDKEvents(t *testing.T) {
	url := serve(t, "Foo")
	for mode, mk := range map[string]func(string, kce.Event) (*http.Request, error){"binary": kce.NewBinaryRequest, "structured": kce.NewStructuredRequest} {
		r, _ := mk(url+"/foo/openfunction", fixture("id-"+mode))
		if code, body := call(t, r); code != 200 {
			t.Fatalf("%s: %d %s", mode, code, body)
		}
		seenMu.Lock()
		e := seen[len(seen)-1]
		seenMu.Unlock()
		if e.ID() != "id-"+mode || e.Source() != "io.openfunction.samples/helloworldsource" || e.Type() != "io.openfunction.samples.helloworld" ||
			string(e.Data()) != `{"data":"hello"}` || e.DataContentType() != "application/json" || e.Time().Year() != 2020 ||
			e.Extensions()["traceparent"] != "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01" {
			t.Errorf("%s: the function got %v", mode, e)
		}
	}
	bad := fixture("id-fail")
	bad.Data = []byte(`{"fail":"boom"}`)
	r, _ := kce.NewBinaryRequest(url+"/foo/x", bad)
	if code, body := call(t, r); code != 500 || !strings.Contains(body, "boom") {
		t.Errorf("a failing function: %d %q, want 500 naming the error", code, body)
	}
	odd := fixture("id-time")
	odd.Time = "yesterday"
	r, _ = kce.NewBinaryRequest(url+"/foo/x", odd)
	if code, body := call(t, r); code != 500 || !strings.Contains(body, `attribute time "yesterday"`) {
		t.Errorf("an event sdk-go refuses: %d %q", code, body)
	}
}

func TestOpenFunctionGetsTheCloudEvent(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", "")
	url := serve(t, "Bar")
	r, _ := kce.NewStructuredRequest(url+"/bar/kiln", fixture("ce-7"))
	if code, body := call(t, r); code != 200 || body != `kiln event ce-7 {"data":"hello"}` {
		t.Fatalf("%d %q", code, body)
	}
}

func TestRegisterRefuses(t *testing.T) {
	fn := kfunctions.Registered{Name: "ok", HTTP: func(http.ResponseWriter, *http.Request) {}}
	for _, tt := range []struct {
		r    kfunctions.Registered
		kind string
		opts []functions.FunctionOption
		err  string
	}{
		{kfunctions.Registered{Name: "9lives", HTTP: fn.HTTP}, functions.HTTPType, nil, "Invalid function name: 9lives, not matching the pattern: ^[A-Za-z](?:[-_A-Za-z0-9]{0,61}[A-Za-z0-9])?$"},
		{fn, functions.HTTPType, []functions.FunctionOption{functions.WithFunctionPath("")}, "Empty function path"},
		{fn, functions.HTTPType, []functions.FunctionOption{functions.WithFunctionPath("foo")}, "Function path must start with '/': foo"},
		{fn, functions.HTTPType, []functions.FunctionOption{functions.WithFunctionMethods()}, "Empty function methods"},
		{fn, functions.HTTPType, []functions.FunctionOption{functions.WithFunctionPath("/{a")}, `"ok": path "/{a": unbalanced "{"`},
		{kfunctions.Registered{Name: "ce", CloudEvent: func(context.Context, kce.Event) error { return nil }}, functions.CloudEventType,
			[]functions.FunctionOption{functions.WithFunctionMethods("GET")}, "Not allow to set function methods for CloudEvent function"},
	} {
		if err := functions.Register(tt.r, tt.kind, tt.opts...); err == nil || err.Error() != tt.err {
			t.Errorf("%s: %v, want %q", tt.r.Name, err, tt.err)
		}
	}
}
