package kube

import (
	"context"
	"strings"
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// TestBuildPerLanguageAndFailures: on the real API server, the Build gets
// the builder of spec.build.language, and the build's failure paths are
// conditions naming what to fix: an unknown language, a strategy that is
// not installed, a builder image that cannot be pulled.
func TestBuildPerLanguageAndFailures(t *testing.T) {
	f := features.New("builder per language; build failures as conditions").
		Assess("conditions and the builder", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "buildfail")
			mk := func(name string, change func(*v1alpha1.Function)) {
				t.Helper()
				fn := function(t, "sync-hello", ns)
				fn.Name = name
				fn.Spec.Build.Builder = nil
				change(fn)
				if err := cl.Create(ctx, fn); err != nil {
					t.Fatal(err)
				}
			}
			mk("node", func(f *v1alpha1.Function) { f.Spec.Build.Language = "nodejs" })
			mk("cobol", func(f *v1alpha1.Function) { f.Spec.Build.Language = "cobol" })
			mk("buildah", func(f *v1alpha1.Function) {
				f.Spec.Build.Shipwright = &v1alpha1.ShipwrightEngine{Strategy: &v1alpha1.Strategy{Name: "buildah"}}
			})
			mk("pull", func(f *v1alpha1.Function) { f.Spec.Build.Language = "python" })

			var b shp.Build
			eventually(t, wait, "Build node-build", func() error { return get(ctx, ns, "node-build", &b) })
			if p := paramValue(&b, "KILN_BUILDER_IMAGE"); p != testBuilders["nodejs"] {
				t.Errorf("node: KILN_BUILDER_IMAGE %q, want %q", p, testBuilders["nodejs"])
			}

			for _, c := range []struct{ name, reason, msg string }{
				{"cobol", v1alpha1.ReasonUnknownLanguage, `spec.build.language: "cobol" has no builder: set it to one of go, java, nodejs, python, or name a builder image in spec.build.builder`},
				{"buildah", v1alpha1.ReasonStrategyNotFound, "spec.build.shipwright.strategy: ClusterBuildStrategy buildah is not installed"},
			} {
				got := condition(t, ns, c.name, v1alpha1.ConditionReady, metav1.ConditionFalse, c.reason)
				if m := got.Status.GetCondition(v1alpha1.ConditionReady).Message; !strings.Contains(m, c.msg) {
					t.Errorf("%s: %s, want %q", c.name, m, c.msg)
				}
				if err := get(ctx, ns, c.name+"-build", &shp.Build{}); !apierrors.IsNotFound(err) {
					t.Errorf("%s: a Build exists (%v)", c.name, err)
				}
			}

			fn := condition(t, ns, "pull", v1alpha1.ConditionBuilt, metav1.ConditionUnknown, v1alpha1.ReasonBuilding)
			var br shp.BuildRun
			play(t, ns, fn.Status.Build.ResourceRef, &br, func() {
				br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: corev1.ConditionFalse, Reason: "TaskRunImagePullFailed", LastTransitionTime: metav1.Now(),
					Message: `the step "build-and-push" in TaskRun "` + br.Name + `" failed to pull the image "". The pod errored with the message: "Back-off pulling image."`}}
			})
			got := condition(t, ns, "pull", v1alpha1.ConditionReady, metav1.ConditionFalse, v1alpha1.ReasonBuilderPullFailed)
			if m := got.Status.GetCondition(v1alpha1.ConditionReady).Message; !strings.Contains(m, "(the builder is "+testBuilders["python"]+")") {
				t.Errorf("pull: %s", m)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
