package routes

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// echo answers "name vars pathvalue" so a test sees which route ran with what.
func echo(name string, keys ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, name)
		for _, k := range keys {
			fmt.Fprintf(w, " %s=%s/%s", k, Vars(r.Context())[k], pathValue(r, k))
		}
	})
}

func mustRouter(t *testing.T, routes ...Route) *Router {
	t.Helper()
	rt, err := NewRouter(routes)
	if err != nil {
		t.Fatal(err)
	}
	return rt
}

func route(t *testing.T, name, template string, methods []string, keys ...string) Route {
	t.Helper()
	tpl, err := Compile(template)
	if err != nil {
		t.Fatal(err)
	}
	return Route{Name: name, Template: tpl, Methods: methods, Handler: echo(name, keys...)}
}

func call(h http.Handler, method, path string) (int, string, http.Header) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(method, path, nil))
	b, _ := io.ReadAll(w.Result().Body)
	return w.Code, strings.TrimSpace(string(b)), w.Header()
}

func TestRouter(t *testing.T) {
	rt := mustRouter(t,
		route(t, "root", "/", nil),
		route(t, "hello", "/hello/{name}", []string{"GET", "POST"}, "name"),
		route(t, "me", "/hello/me", nil),
		route(t, "id", "/hello/{name}/{id:[0-9]+}", nil, "name", "id"),
		route(t, "bar", "/bar", []string{"POST"}),
	)
	for _, tt := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/hello/openfunction", 200, "hello name=openfunction/openfunction"},
		{"POST", "/hello/kiln", 200, "hello name=kiln/kiln"},
		{"HEAD", "/hello/kiln", 200, "hello name=kiln/kiln"}, // GET allows HEAD
		{"GET", "/hello/me", 200, "me"},                      // a literal path wins over a template
		{"GET", "/hello/x/7", 200, "id name=x/x id=7/7"},
		{"GET", "/hello/x/y", 200, "root"}, // no template matches: "/" takes it
		{"POST", "/bar", 200, "bar"},
		{"GET", "/bar", 405, "GET is not allowed on /bar"},
		{"DELETE", "/hello/kiln", 405, "DELETE is not allowed on /hello/kiln"},
		{"GET", "/", 200, "root"},
	} {
		code, body, h := call(rt, tt.method, tt.path)
		if code != tt.code || body != tt.body {
			t.Errorf("%s %s = %d %q, want %d %q", tt.method, tt.path, code, body, tt.code, tt.body)
		}
		if code == 405 && h.Get("Allow") == "" {
			t.Errorf("%s %s: 405 without Allow", tt.method, tt.path)
		}
	}
	var order []string
	for _, r := range rt.Routes() {
		order = append(order, r.Template.String())
	}
	if got := strings.Join(order, " "); got != "/hello/me /bar /hello/{name}/{id:[0-9]+} /hello/{name} /" {
		t.Fatalf("route order %s", got)
	}
}

func TestRouterWithoutCatchAll(t *testing.T) {
	rt := mustRouter(t, route(t, "greet", "/{greeting}", nil, "greeting"))
	if code, body, _ := call(rt, "GET", "/World"); code != 200 || body != "greet greeting=World/World" {
		t.Fatalf("/World: %d %q", code, body)
	}
	if code, _, _ := call(rt, "GET", "/"); code != 404 {
		t.Fatalf("/: %d, want 404", code)
	}
	if code, _, _ := call(rt, "GET", "/a/b"); code != 404 {
		t.Fatalf("/a/b: %d, want 404", code)
	}
}

func TestRouterRefusesTwoAtOnePath(t *testing.T) {
	_, err := NewRouter([]Route{route(t, "A", "/x", nil), route(t, "B", "/x", nil)})
	if err == nil || err.Error() != `functions A and B are both registered at path "/x"; give each its own path` {
		t.Fatalf("%v", err)
	}
}

func TestSingle(t *testing.T) {
	tpl, _ := Compile("/")
	h := echo("h")
	if got := Single("h", tpl, nil, h); fmt.Sprintf("%p", got) != fmt.Sprintf("%p", h) {
		t.Fatal("Single at / without methods should be the handler itself")
	}
	tpl, _ = Compile("/{greeting}")
	s := Single("h", tpl, []string{"GET"}, echo("h", "greeting"))
	if code, body, _ := call(s, "GET", "/World"); code != 200 || body != "h greeting=World/World" {
		t.Fatalf("%d %q", code, body)
	}
	if code, _, _ := call(s, "POST", "/World"); code != 405 {
		t.Fatalf("POST: %d", code)
	}
}
