package funcframework

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/registry"
	"kiln.dev/functions-framework-go/ofctx"
	"kiln.dev/functions-framework-go/routes"
)

// reg builds a registry the way functions.Register would.
func reg(t *testing.T, fns ...functions.Registered) *registry.Registry[functions.Registered] {
	t.Helper()
	r := registry.New[functions.Registered]("function")
	for _, f := range fns {
		if err := r.Add(f.Name, f); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

func at(t *testing.T, template string) *routes.Template {
	t.Helper()
	tpl, err := routes.Compile(template)
	if err != nil {
		t.Fatal(err)
	}
	return tpl
}

func greet(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintf(w, "Hello, %s!", ofctx.VarsFromCtx(r.Context())["greeting"])
}

func TestChoose(t *testing.T) {
	hello := functions.Registered{Name: "HelloWorld", HTTP: greet, Path: at(t, "/{greeting}")}
	plain := functions.Registered{Name: "Plain", HTTP: greet}
	foo := functions.Registered{Name: "Foo", HTTP: greet, Path: at(t, "/foo")}
	for _, tt := range []struct {
		name   string
		reg    []functions.Registered
		target string
		want   string // names served, "single:" for one target
		err    string
	}{
		{"target with a path", []functions.Registered{hello, foo}, "HelloWorld", "single:HelloWorld", ""},
		{"unknown target, functions with paths", []functions.Registered{hello, foo, plain}, "MultipleFunctions", "Foo,HelloWorld", ""},
		{"no target, functions with paths", []functions.Registered{hello, foo}, "", "Foo,HelloWorld", ""},
		{"no target, none with a path", []functions.Registered{plain}, "", "", "no function target: set FUNCTION_TARGET to one of: Plain"},
		{"unknown target, none with a path", []functions.Registered{plain}, "Nope", "", `FUNCTION_TARGET="Nope" is not registered; registered functions: Plain`},
	} {
		fns, single, err := choose(reg(t, tt.reg...), tt.target)
		if (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.err)
			continue
		}
		var names []string
		for _, f := range fns {
			names = append(names, f.Name)
		}
		got := strings.Join(names, ",")
		if single {
			got = "single:" + got
		}
		if got != tt.want {
			t.Errorf("%s: serves %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestTargetServedAtItsPath(t *testing.T) {
	r := reg(t, functions.Registered{Name: "HelloWorld", HTTP: greet, Path: at(t, "/{greeting}"), Methods: []string{"GET"}})
	h, err := handlerForTarget(r, "HelloWorld")
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, h, nil)
	if got := get(t, s.url+"/World"); got.code != 200 || got.body != "Hello, World!" {
		t.Fatalf("/World: %+v", got)
	}
	if got := get(t, s.url+"/"); got.code != 404 {
		t.Fatalf("/: %+v, want 404", got)
	}
	resp, err := http.Post(s.url+"/World", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET" {
		t.Fatalf("POST /World: %d %q, want 405 with Allow: GET", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestAllHandler(t *testing.T) {
	var events = make(chan string, 1)
	fns := []functions.Registered{
		{Name: "Foo", HTTP: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, `{"hello":"foo!"}`) }, Path: at(t, "/foo")},
		{Name: "Bar", HTTP: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello, bar!") }, Path: at(t, "/bar")},
		{Name: "Hello", HTTP: greet, Path: at(t, "/hello/{greeting}"), Methods: []string{"GET", "POST"}},
		{Name: "OnEvent", CloudEvent: func(ctx context.Context, e cloudevents.Event) error {
			events <- e.ID + " " + routes.Vars(ctx)["name"]
			return nil
		}, Path: at(t, "/events/{name}")},
	}
	h, err := AllHandler(fns, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, h, nil)
	for path, want := range map[string]string{"/foo": `{"hello":"foo!"}`, "/bar": "hello, bar!", "/hello/kiln": "Hello, kiln!"} {
		if got := get(t, s.url+path); got.code != 200 || got.body != want {
			t.Errorf("%s: %+v, want %q", path, got, want)
		}
	}
	if got := get(t, s.url+"/baz"); got.code != 404 {
		t.Errorf("/baz: %+v, want 404", got)
	}
	req, _ := cloudevents.NewBinaryRequest(s.url+"/events/orders", cloudevents.Event{SpecVersion: "1.0", ID: "e1", Source: "s", Type: "t"})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("event: %d", resp.StatusCode)
	}
	if got := await(t, events, "event"); got != "e1 orders" {
		t.Fatalf("CloudEvent function saw %q", got)
	}
	if _, err := AllHandler([]functions.Registered{{Name: "Open", Open: func(ofctx.Context, []byte) (ofctx.Out, error) { return nil, nil }, Path: at(t, "/o")}}, nil); err == nil {
		t.Fatal("an OpenFunction function without an open maker should be refused")
	}
	if _, err := AllHandler([]functions.Registered{fns[0], {Name: "Foo2", HTTP: greet, Path: at(t, "/foo")}}, nil); err == nil ||
		!strings.Contains(err.Error(), `functions Foo and Foo2 are both registered at path "/foo"`) {
		t.Fatalf("two at one path: %v", err)
	}
}

func TestRegisterOptions(t *testing.T) {
	for _, tt := range []struct {
		opts []functions.Option
		err  string
	}{
		{[]functions.Option{functions.WithPath("nope")}, `"X": path "nope" must start with "/"`},
		{[]functions.Option{functions.WithMethods()}, `"X": WithMethods needs at least one method`},
		{[]functions.Option{functions.WithMethods(" ")}, `"X": WithMethods: an empty method name`},
	} {
		if err := functions.Register(functions.Registered{Name: "X", HTTP: greet}, tt.opts...); err == nil || err.Error() != tt.err {
			t.Errorf("%v, want %q", err, tt.err)
		}
	}
	if err := functions.Register(functions.Registered{Name: "X"}); err == nil || err.Error() != `"X" registered with a nil function` {
		t.Errorf("nil function: %v", err)
	}
}
