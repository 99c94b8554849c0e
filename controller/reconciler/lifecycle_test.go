package reconciler

import (
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// TestLifecycleOverPasses drives one Function through its life on one fake
// API server, playing Shipwright and Knative between passes: build, serve,
// a failed rebuild that keeps the last good digest, a good one that rolls
// forward.
func TestLifecycleOverPasses(t *testing.T) {
	f := function(func(f *v1alpha1.Function) { f.Finalizers = nil })
	c, reader, rec := newClient(t, nil, f.DeepCopy())
	rec.stop() // only the reconciler's calls count, not the test playing Shipwright and Knative
	r := reconciler(c, reader)
	key := client.ObjectKeyFromObject(f)
	pass := func(want string) *v1alpha1.Function {
		t.Helper()
		rec.start()
		_, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: key})
		rec.stop()
		if err != nil {
			t.Fatal(err)
		}
		var got v1alpha1.Function
		if err := c.Get(ctx(), key, &got); err != nil {
			t.Fatal(err)
		}
		rd := got.Status.GetCondition(v1alpha1.ConditionReady)
		if want != "" && (rd == nil || string(rd.Status)+" "+rd.Reason != want) {
			t.Fatalf("Ready %+v, want %s", rd, want)
		}
		return &got
	}
	shipwright := func(name string, status corev1.ConditionStatus, digest string) {
		t.Helper()
		var br shp.BuildRun
		if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, &br); err != nil {
			t.Fatal(err)
		}
		br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: status, Reason: "Failed"}}
		if digest != "" {
			br.Status.Output = &shp.Output{Digest: digest}
		}
		if err := c.Status().Update(ctx(), &br); err != nil {
			t.Fatal(err)
		}
	}
	served := func(want string) {
		t.Helper()
		if got := functionImage(t, c, &servingv1.Service{}); got != want {
			t.Fatalf("the Knative Service runs %q, want %q", got, want)
		}
	}
	countRuns := func(want int) {
		t.Helper()
		var runs shp.BuildRunList
		if err := c.List(ctx(), &runs); err != nil || len(runs.Items) != want {
			t.Fatalf("%d BuildRuns (%v), want %d", len(runs.Items), err, want)
		}
	}

	got := pass("Unknown Building")
	first := got.Status.Build.ResourceRef
	pass("Unknown Building")
	countRuns(1)
	served("")

	shipwright(first, corev1.ConditionTrue, digest1)
	pass("Unknown KnativeServiceNotReady")
	served(image + "@" + digest1)

	var ks servingv1.Service
	if err := c.Get(ctx(), key, &ks); err != nil {
		t.Fatal(err)
	}
	ks.Status.Conditions = duckv1.Conditions{{Type: apis.ConditionReady, Status: corev1.ConditionTrue}}
	ks.Status.ObservedGeneration = ks.Generation
	if err := c.Status().Update(ctx(), &ks); err != nil {
		t.Fatal(err)
	}
	got = pass("True Ready")
	before := got.ResourceVersion
	if got = pass("True Ready"); got.ResourceVersion != before {
		t.Error("a pass with nothing new wrote the Function")
	}

	rebuilt(got)
	if err := c.Update(ctx(), got); err != nil {
		t.Fatal(err)
	}
	got = pass("Unknown Building")
	second := got.Status.Build.ResourceRef
	if second == first {
		t.Fatal("a build change made no new BuildRun")
	}
	countRuns(2)
	served(image + "@" + digest1)
	shipwright(second, corev1.ConditionFalse, "")
	got = pass("False BuildRunFailed")
	served(image + "@" + digest1)
	if got.Status.Revision.ImageDigest != image+"@"+digest1 {
		t.Fatalf("revision %+v", got.Status.Revision)
	}

	got.Spec.Build.Env["FUNC_NAME"] = "HelloFixed"
	if err := c.Update(ctx(), got); err != nil {
		t.Fatal(err)
	}
	got = pass("Unknown Building")
	third := got.Status.Build.ResourceRef
	shipwright(third, corev1.ConditionTrue, digest2)
	// The fake API server does not bump generations, so Knative's Ready
	// would look current here; the digest is what this pass is about.
	got = pass("")
	served(image + "@" + digest2)
	if c := got.Status.GetCondition(v1alpha1.ConditionBuilt); c.Reason != v1alpha1.ReasonBuildRunSucceeded || got.Status.Revision.ImageDigest != image+"@"+digest2 {
		t.Fatalf("built %+v revision %+v", c, got.Status.Revision)
	}
	countRuns(3)
}
