package routes

import (
	"reflect"
	"testing"
)

func TestCompileErrors(t *testing.T) {
	for _, tt := range []struct{ template, err string }{
		{"", `path "" must start with "/"`},
		{"hello", `path "hello" must start with "/"`},
		{"/{", `path "/{": unbalanced "{"`},
		{"/a}", `path "/a}": unbalanced "}"`},
		{"/{}", `path "/{}": a variable needs a name, as in {name} or {name:[0-9]+}`},
		{"/{:x}", `path "/{:x}": a variable needs a name, as in {name} or {name:[0-9]+}`},
		{"/{a}/{a}", `path "/{a}/{a}": variable "a" appears twice`},
		{"/{id:[0-9}", `path "/{id:[0-9}": variable "id": error parsing regexp: missing closing ]: ` + "`[0-9`"},
	} {
		if _, err := Compile(tt.template); err == nil || err.Error() != tt.err {
			t.Errorf("Compile(%q) = %v, want %q", tt.template, err, tt.err)
		}
	}
}

func TestMatch(t *testing.T) {
	type m = map[string]string
	for _, tt := range []struct {
		template, path string
		ok             bool
		vars           m
		fast           bool // matched without a regexp
	}{
		{"/", "/", true, nil, true},
		{"/", "/anything/at/all", true, nil, true},
		{"/foo", "/foo", true, nil, true},
		{"/foo", "/foo/", false, nil, true},
		{"/foo", "/foobar", false, nil, true},
		{"/{greeting}", "/World", true, m{"greeting": "World"}, true},
		{"/{greeting}", "/", false, nil, true},
		{"/{greeting}", "/a/b", false, nil, true},
		{"/{greeting}", "/Hello%2FWorld", true, m{"greeting": "Hello%2FWorld"}, true},
		{"/hello/{name}", "/hello/openfunction", true, m{"name": "openfunction"}, true},
		{"/hello/{name}", "/hello/", false, nil, true},
		{"/hello/{name}", "/bye/x", false, nil, true},
		{"/a/{x}/b/{y}", "/a/1/b/2", true, m{"x": "1", "y": "2"}, true},
		{"/a/{x}/b/{y}", "/a/1/c/2", false, nil, true},
		{"/a/{ x }", "/a/1", true, m{"x": "1"}, true},
		{"/articles/{category}/{id:[0-9]+}", "/articles/go/42", true, m{"category": "go", "id": "42"}, false},
		{"/articles/{category}/{id:[0-9]+}", "/articles/go/x42", false, nil, false},
		{"/id/{id:[0-9]{3}}", "/id/123", true, m{"id": "123"}, false},
		{"/id/{id:[0-9]{3}}", "/id/1234", false, nil, false},
		{"/files/{rest:.*}", "/files/a/b/c.txt", true, m{"rest": "a/b/c.txt"}, false},
		{"/files/{rest:.*}", "/files/", true, m{"rest": ""}, false},
		{"/{name}.json", "/report.json", true, m{"name": "report"}, false},
		{"/{name}.json", "/report.xml", false, nil, false},
		{"/v{n:(1|2)}/{x:(a)(b)}", "/v2/ab", true, m{"n": "2", "x": "ab"}, false},
		{"/a.b", "/axb", false, nil, true}, // literal dots are not regexp dots
	} {
		tpl, err := Compile(tt.template)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.template, err)
		}
		if fast := tpl.re == nil; fast != tt.fast {
			t.Errorf("%q: fast path %v, want %v", tt.template, fast, tt.fast)
		}
		vars, ok := tpl.Match(tt.path)
		if ok != tt.ok || !reflect.DeepEqual(vars, tt.vars) {
			t.Errorf("%q.Match(%q) = %v %v, want %v %v", tt.template, tt.path, vars, ok, tt.vars, tt.ok)
		}
	}
}

func BenchmarkMatchSegment(b *testing.B) {
	tpl, _ := Compile("/{greeting}")
	for i := 0; i < b.N; i++ {
		tpl.Match("/World")
	}
}
