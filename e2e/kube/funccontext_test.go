package kube

import (
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/funccontext"

	"kiln.dev/kiln/controller/render"
)

// TestFuncContextRoundTrip: the FUNC_CONTEXT the controller writes for every
// render test Function is read back by the Go framework's parser, with the
// same inputs, outputs and hooks.
func TestFuncContextRoundTrip(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(repo, "controller", "render", "testdata", "functions", "*.yaml"))
	if len(files) == 0 {
		t.Fatal("no render testdata")
	}
	for _, p := range files {
		name := strings.TrimSuffix(filepath.Base(p), ".yaml")
		f := function(t, name, "default")
		f.Default()
		if f.Spec.Serving == nil {
			continue
		}
		want := render.BuildFuncContext(f)
		got, err := funccontext.Parse(want.JSON())
		if err != nil {
			t.Fatalf("%s: %v\n%s", name, err, want.JSON())
		}
		if got.Name != f.Name || got.Runtime != want.Runtime || len(got.Inputs) != len(want.Inputs) || len(got.Outputs) != len(want.Outputs) ||
			strings.Join(got.PreHooks, ",") != strings.Join(want.PrePlugins, ",") {
			t.Errorf("%s: framework read %+v from %s", name, got, want.JSON())
		}
		for k, out := range want.Outputs {
			if g := got.Outputs[k]; g.ComponentName != out.ComponentName || g.Operation != out.Operation {
				t.Errorf("%s: output %s: %+v vs %+v", name, k, g, out)
			}
		}
	}
}
