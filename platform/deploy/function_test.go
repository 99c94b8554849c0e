package deploy

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/render"
)

// TestFunction: the Function kiln deploy applies is valid, builds from the
// bundle with the language's builder, and serves over HTTP.
func TestFunction(t *testing.T) {
	f := Function(Spec{Name: "hello", Namespace: "team", Image: "reg.example:5000/hello",
		Source: "reg.example:5000/hello-source@sha256:" + strings.Repeat("3", 64), Language: "nodejs",
		Env: map[string]string{"FUNC_NAME": "greet"}})
	got, err := yaml.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: core.kiln.dev/v1alpha1
kind: Function
metadata:
  labels:
    app.kubernetes.io/managed-by: kiln-deploy
  name: hello
  namespace: team
spec:
  build:
    env:
      FUNC_NAME: greet
    language: nodejs
    srcRepo:
      bundleContainer:
        image: reg.example:5000/hello-source@sha256:3333333333333333333333333333333333333333333333333333333333333333
  image: reg.example:5000/hello
  serving: {}
status: {}
`
	if string(got) != want {
		t.Fatalf("got:\n%s\nwant:\n%s", got, want)
	}
	d := f.DeepCopy()
	d.Default()
	if errs := d.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	b, _, err := render.Build(d, render.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if b.Spec.Source.OCIArtifact == nil || b.Spec.Source.OCIArtifact.Image != f.Spec.Build.SrcRepo.BundleContainer.Image {
		t.Errorf("Build source %+v", b.Spec.Source)
	}
	if v := *b.Spec.ParamValues[0].SingleValue.Value; v != render.DefaultBuilders()["nodejs"] {
		t.Errorf("builder %s", v)
	}
}

func TestCheckNameAndLanguage(t *testing.T) {
	for n, ok := range map[string]bool{"hello": true, "a-1": true, "Hello": false, "-a": false, "a_b": false, "": false, strings.Repeat("a", 51): false} {
		if err := CheckName(n); (err == nil) != ok {
			t.Errorf("CheckName(%q): %v", n, err)
		}
	}
	for l, ok := range map[string]bool{"go": true, "nodejs": true, "python": true, "java": true, "node": false, "rust": false} {
		if err := CheckLanguage(l); (err == nil) != ok {
			t.Errorf("CheckLanguage(%q): %v", l, err)
		}
	}
	if err := CheckLanguage("node"); !strings.Contains(err.Error(), "want one of go, java, nodejs, python") {
		t.Error(err)
	}
}

// --route and --hostname give the Function a route: host-based without
// hostnames, path-based with them; a hostname the Gateway API refuses is
// refused here first, naming the flag.
func TestFunctionRoute(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{Route: true}, `{"http":{"route":{"gatewayRef":{"name":"kiln","namespace":"kiln"}}}}`},
		{Spec{Route: true, Hostnames: []string{"localhost"}}, `{"http":{"route":{"gatewayRef":{"name":"kiln","namespace":"kiln"},"hostnames":["localhost"]}}}`},
	} {
		tc.spec.Name, tc.spec.Image = "hello", "reg.example:5000/hello"
		f := Function(tc.spec)
		b, err := yaml.Marshal(f.Spec.Serving.Triggers)
		if err != nil {
			t.Fatal(err)
		}
		j, _ := yaml.YAMLToJSON(b)
		if string(j) != tc.want {
			t.Errorf("%+v: triggers %s, want %s", tc.spec, j, tc.want)
		}
		f.Default()
		if errs := f.Validate(); len(errs) > 0 {
			t.Error(errs.ToAggregate())
		}
		if url := render.URL(f, render.DefaultGateway()); !strings.HasPrefix(url, "http://") {
			t.Errorf("%+v: route URL %q", tc.spec, url)
		}
	}
	if err := CheckHostnames([]string{"localhost", "api.example.com", "*.example.com"}); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"127.0.0.1", "Api.example.com", "a..b", "a.*.b", ""} {
		if err := CheckHostnames([]string{bad}); err == nil || !strings.Contains(err.Error(), "--hostname") {
			t.Errorf("hostname %q: %v", bad, err)
		}
	}
}
