package reconciler

import (
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// failureRows are the ways a Function fails that a user must fix, each with
// the condition and reason it gets (the failure paths).
func failureRows() []row {
	return []row{{
		name:    "an unknown language without a builder: no BuildRun, the field and the known languages named",
		fn:      function(func(f *v1alpha1.Function) { f.Spec.Build.Language = "cobol" }),
		serving: v1alpha1.StatePending,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("False", "UnknownLanguage"),
			v1alpha1.ConditionServingReady: ready("Unknown", "WaitingForBuild"),
			v1alpha1.ConditionReady:        ready("False", "UnknownLanguage"),
		},
		msgs: map[string]string{v1alpha1.ConditionReady: `spec.build.language: "cobol" has no builder: set it to one of go, java, nodejs, python, or name a builder image in spec.build.builder`},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
			mustBeGone(t, c, runName(f), &shp.BuildRun{})
		},
	}, {
		name: "an unknown language with a builder: the builder is used",
		fn: function(func(f *v1alpha1.Function) {
			f.Spec.Build.Language = "cobol"
			f.Spec.Build.Builder = ptrTo("registry.example.com/cobol-builder:1")
		}),
		build: v1alpha1.StateBuilding,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			if got := builderParam(t, c); got != "registry.example.com/cobol-builder:1" {
				t.Errorf("KILN_BUILDER_IMAGE %q", got)
			}
		},
	}, {
		name:  "a Node.js Function gets the controller's Node.js builder",
		fn:    function(func(f *v1alpha1.Function) { f.Spec.Build.Language = "nodejs" }),
		build: v1alpha1.StateBuilding,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			if got := builderParam(t, c); got != "registry.example.com/kiln/builder-node:latest" {
				t.Errorf("KILN_BUILDER_IMAGE %q", got)
			}
		},
	}}
}

func TestReconcileFailurePaths(t *testing.T) {
	for _, tc := range failureRows() {
		t.Run(tc.name, func(t *testing.T) { runRow(t, tc) })
	}
}

// builderParam is the KILN_BUILDER_IMAGE the Build passes ("" without one).
func builderParam(t *testing.T, c client.Client) string {
	t.Helper()
	var b shp.Build
	if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "hello-build"}, &b); err != nil {
		t.Fatal(err)
	}
	for _, p := range b.Spec.ParamValues {
		if p.Name == "KILN_BUILDER_IMAGE" && p.SingleValue != nil && p.SingleValue.Value != nil {
			return *p.SingleValue.Value
		}
	}
	return ""
}

var _ = corev1.ConditionFalse
