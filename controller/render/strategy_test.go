package render

import (
	"errors"
	"strings"
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func TestFitStrategy(t *testing.T) {
	kiln := []string{"ENV_VARS", "KILN_BUILDER_IMAGE", "PROCESS_TYPE", "RUN_IMAGE"}
	buildah := []string{"dockerfile", "registries-search"}
	for _, c := range []struct {
		name     string
		mut      func(*v1alpha1.Function)
		declared []string
		want     []string // param names kept, in order
		wantErr  string
	}{
		{name: "Kiln's strategy takes both", declared: kiln, want: []string{"KILN_BUILDER_IMAGE", "ENV_VARS"}},
		{name: "Kiln's strategy takes user params it declares", declared: kiln,
			mut: func(f *v1alpha1.Function) {
				f.Spec.Build.Shipwright.Params = []*v1alpha1.ParamValue{{Name: "RUN_IMAGE", Value: ptr("r")}}
			},
			want: []string{"KILN_BUILDER_IMAGE", "ENV_VARS", "RUN_IMAGE"}},
		{name: "a Dockerfile strategy gets neither the defaulted builder nor an empty env", declared: buildah,
			mut:  func(f *v1alpha1.Function) { f.Spec.Build.Env = nil },
			want: nil},
		{name: "a strategy with ENV_VARS only", declared: []string{"ENV_VARS"}, want: []string{"ENV_VARS"}},
		{name: "spec.build.env the strategy cannot take", declared: buildah,
			wantErr: "spec.build.env: ClusterBuildStrategy buildah declares no parameter ENV_VARS (it declares: dockerfile, registries-search)"},
		{name: "spec.build.builder the strategy cannot take", declared: []string{"ENV_VARS"},
			mut:     func(f *v1alpha1.Function) { f.Spec.Build.Builder = ptr("reg.example/b:1") },
			wantErr: "spec.build.builder: ClusterBuildStrategy buildah declares no parameter KILN_BUILDER_IMAGE (it declares: ENV_VARS)"},
		{name: "a user param the strategy does not declare", declared: kiln,
			mut: func(f *v1alpha1.Function) {
				f.Spec.Build.Shipwright.Params = []*v1alpha1.ParamValue{{Name: "TYPO", Value: ptr("x")}}
			},
			wantErr: "spec.build.shipwright.params[0]: ClusterBuildStrategy buildah declares no parameter TYPO"},
		{name: "a strategy with no parameters", declared: nil,
			wantErr: "declares no parameter ENV_VARS (it declares: none)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &v1alpha1.Function{Spec: v1alpha1.FunctionSpec{Image: "reg.example/fn", Build: &v1alpha1.BuildImpl{
				Env: map[string]string{"FUNC_NAME": "F"}, SrcRepo: &v1alpha1.GitRepo{URL: "https://example.com/x.git"}}}}
			f.Default()
			if c.mut != nil {
				c.mut(f)
			}
			b, _, err := Build(f, DefaultConfig())
			if err != nil {
				t.Fatal(err)
			}
			err = FitStrategy(f, b, "ClusterBuildStrategy buildah", c.declared)
			if c.wantErr != "" {
				var undeclared *UndeclaredParamError
				if err == nil || !strings.Contains(err.Error(), c.wantErr) || !errors.As(err, &undeclared) {
					t.Fatalf("err %v, want an UndeclaredParamError containing %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range b.Spec.ParamValues {
				got = append(got, p.Name)
			}
			if strings.Join(got, ",") != strings.Join(c.want, ",") {
				t.Fatalf("params %v, want %v", got, c.want)
			}
		})
	}
}

func TestStrategyParams(t *testing.T) {
	spec := &shp.BuildStrategySpec{Parameters: []shp.Parameter{{Name: "b"}, {Name: "a"}}}
	if got := StrategyParams(spec); strings.Join(got, ",") != "a,b" {
		t.Fatal(got)
	}
}
