package clusteraddons

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

// A small chart that uses every feature the renderer has: subchart value
// scoping (the parent's section over the subchart's defaults, the parent's
// global over the subchart's), include across charts, tpl in values,
// Capabilities, the functions, crds/, partials and NOTES.txt not
// installed, empty and comment-only documents dropped, install order.
func TestRenderChartGolden(t *testing.T) {
	crds, objs, err := renderChart(os.DirFS("testdata"), "chart", map[string]any{"greeting": "hi from -f"}, Release{Name: "rel", Namespace: "ns1"})
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "chart.golden.yaml", append(append(stream(crds), "# objects\n"...), stream(objs)...))
}

func TestRenderChartRefuses(t *testing.T) {
	chart := func(tmpl string) fstest.MapFS {
		return fstest.MapFS{
			"c/Chart.yaml":       {Data: []byte("name: c\n")},
			"c/templates/x.yaml": {Data: []byte(tmpl)},
		}
	}
	for _, c := range []struct {
		name string
		fs   fstest.MapFS
		want string
	}{
		{"unknown function", chart("{{ lookup \"v1\" \"Secret\" \"ns\" \"n\" }}"), `function "lookup" not defined`},
		{"no kind", chart("apiVersion: v1\nmetadata:\n  name: x\n"), "without apiVersion, kind or metadata.name"},
		{"not yaml", chart("apiVersion: v1\nkind: [\n"), "not YAML"},
		{"include loop", chart("{{ define \"l\" }}{{ include \"l\" . }}{{ end }}{{ include \"l\" . }}"), "levels deep"},
		{"until bomb", chart("{{ range until 100000000 }}{{ end }}"), "over 1000"},
		{"required", chart("{{ required \"set .Values.x\" .Values.x }}"), "set .Values.x"},
		{"no chart name", fstest.MapFS{"c/Chart.yaml": {Data: []byte("version: 1\n")}}, "no chart name"},
		{"symlink", fstest.MapFS{"c/Chart.yaml": {Data: []byte("name: c\n")}, "c/templates/x.yaml": {Data: []byte("x"), Mode: os.ModeSymlink}}, "symlink"},
		{"huge file", fstest.MapFS{"c/Chart.yaml": {Data: []byte("name: c\n")}, "c/values.yaml": {Data: make([]byte, maxChartFile+1)}}, "over the"},
	} {
		_, _, err := renderChart(c.fs, "c", nil, Release{Name: "r", Namespace: "n"})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want %q", c.name, err, c.want)
		}
	}
}

func TestMergeValuesCopies(t *testing.T) {
	base := map[string]any{"a": map[string]any{"b": 1, "c": 2}, "l": []any{1}}
	over := map[string]any{"a": map[string]any{"c": 3, "d": 4}, "e": 5}
	got := mergeValues(base, over)
	want := map[string]any{"a": map[string]any{"b": 1, "c": 3, "d": 4}, "l": []any{1}, "e": 5}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("mergeValues = %v, want %v", got, want)
	}
	got["a"].(map[string]any)["b"] = 9
	got["l"].([]any)[0] = 9
	if base["a"].(map[string]any)["b"] != 1 || base["l"].([]any)[0] != 1 {
		t.Error("mergeValues shares maps or slices with its input")
	}
}

func TestFuncs(t *testing.T) {
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"trunc", trunc(3, "abcdef"), "abc"},
		{"trunc negative", trunc(-2, "abcdef"), "ef"},
		{"trunc short", trunc(63, "ab"), "ab"},
		{"indent", indent(2, "a\nb"), "  a\n  b"},
		{"empty string", empty(""), true},
		{"empty false", empty(false), true},
		{"empty zero float", empty(0.0), true},
		{"empty map", empty(map[string]any{}), true},
		{"not empty", empty("x"), false},
		{"toString float", toString(9090.0), "9090"},
		{"toString bool", toString(true), "true"},
		{"toInt64 string", toInt64(" 12 "), int64(12)},
		{"toYaml", toYAML(map[string]any{"b": 1, "a": []any{"x"}}), "a:\n- x\nb: 1"},
		{"dict odd", dict("a", 1, "b"), map[string]any{"a": 1, "b": ""}},
	} {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
}
