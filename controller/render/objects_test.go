package render

import (
	"strings"
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func hello(mut ...func(*v1alpha1.Function)) *v1alpha1.Function {
	f := &v1alpha1.Function{ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "default"},
		Spec: v1alpha1.FunctionSpec{Image: "registry.example.com/fn/hello",
			Build:   &v1alpha1.BuildImpl{SrcRepo: &v1alpha1.GitRepo{URL: "https://github.com/example/fns.git"}, Env: map[string]string{"FUNC_NAME": "Hello"}},
			Serving: &v1alpha1.ServingImpl{}}}
	for _, m := range mut {
		m(f)
	}
	f.Default()
	return f
}

func TestBuildCache(t *testing.T) {
	cfg := DefaultConfig()
	cfg.BuildCacheSize = ""
	_, pvc, err := Build(hello(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if q := pvc.Spec.Resources.Requests["storage"]; q.String() != "2Gi" {
		t.Errorf("no size configured: %s, want 2Gi", q.String())
	}
	cfg.BuildCacheSize = "5 gigs"
	if _, _, err := Build(hello(), cfg); err == nil || !strings.Contains(err.Error(), `build cache size "5 gigs"`) {
		t.Errorf("a bad size: %v", err)
	}
}

func TestBuildSource(t *testing.T) {
	bundle := &v1alpha1.BundleContainer{Image: "registry.example.com/src:1"}
	for _, tc := range []struct {
		name string
		repo *v1alpha1.GitRepo
		want string
	}{
		{"git", &v1alpha1.GitRepo{URL: "https://g/x.git", Revision: ptr("main"), Credentials: &corev1.LocalObjectReference{Name: "git-creds"}}, "Git https://g/x.git main git-creds"},
		{"a bundle", &v1alpha1.GitRepo{BundleContainer: bundle}, "OCI registry.example.com/src:1"},
		{"git wins over a bundle", &v1alpha1.GitRepo{URL: "https://g/x.git", BundleContainer: bundle}, "Git https://g/x.git  "},
	} {
		b, _, err := Build(hello(func(f *v1alpha1.Function) { f.Spec.Build.SrcRepo = tc.repo }), DefaultConfig())
		if err != nil {
			t.Fatal(err)
		}
		s := b.Spec.Source
		got := ""
		switch s.Type {
		case shp.GitType:
			got = "Git " + s.Git.URL + " " + deref(s.Git.Revision) + " " + deref(s.Git.CloneSecret)
		case shp.OCIArtifactType:
			got = "OCI " + s.OCIArtifact.Image
		}
		if got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestBuildParams(t *testing.T) {
	b, _, err := Build(hello(func(f *v1alpha1.Function) {
		f.Spec.Build.Shipwright = &v1alpha1.ShipwrightEngine{Params: []*v1alpha1.ParamValue{
			{Name: "A", Value: ptr("a")},
			{Name: "CM", ConfigMapValue: &v1alpha1.ObjectKeyRef{Name: "cm", Key: "k"}},
			{Name: "S", SecretValue: &v1alpha1.ObjectKeyRef{Name: "s", Key: "k"}},
			{Name: "L", Values: []v1alpha1.SingleValue{{Value: ptr("x")}, {SecretValue: &v1alpha1.ObjectKeyRef{Name: "s2", Key: "k2"}}}},
		}}
	}), DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]shp.ParamValue{}
	for _, p := range b.Spec.ParamValues {
		got[p.Name] = p
	}
	if p := got["A"]; p.SingleValue == nil || *p.SingleValue.Value != "a" {
		t.Errorf("A %+v", p)
	}
	if p := got["CM"]; p.SingleValue == nil || p.SingleValue.ConfigMapValue.Name != "cm" || p.SingleValue.Value != nil {
		t.Errorf("CM %+v", p)
	}
	if p := got["S"]; p.SingleValue == nil || p.SingleValue.SecretValue.Key != "k" {
		t.Errorf("S %+v", p)
	}
	if p := got["L"]; p.SingleValue != nil || len(p.Values) != 2 || *p.Values[0].Value != "x" || p.Values[1].SecretValue.Name != "s2" {
		t.Errorf("L %+v", p)
	}
}

func TestEnvVars(t *testing.T) {
	if got, err := EnvVars(map[string]string{"B": "2", "A": "1=1"}); err != nil || got != "A=1=1\nB=2\n" {
		t.Errorf("%q %v", got, err)
	}
	for _, env := range []map[string]string{{"A=B": "x"}, {"": "x"}, {"A/B": "x"}, {"A\nB": "x"}, {"A": "line\nbreak"}} {
		if _, err := EnvVars(env); err == nil || !strings.Contains(err.Error(), "spec.build.env") {
			t.Errorf("%q: %v", env, err)
		}
	}
}

// TestKilnLabelsWin: spec.serving.labels cannot take the labels the
// controller selects and finds its children by.
func TestKilnLabelsWin(t *testing.T) {
	f := hello(func(f *v1alpha1.Function) {
		f.Spec.Build = nil
		f.Spec.Serving.Labels = map[string]string{LabelFunction: "someone-else", LabelManagedBy: "me", "team": "payments"}
		f.Spec.Serving.Triggers = &v1alpha1.Triggers{Dapr: []*v1alpha1.DaprTrigger{{Name: "in"}}}
	})
	objs, err := Serving(f, DefaultConfig(), f.Spec.Image, nil)
	if err != nil {
		t.Fatal(err)
	}
	d := objs[0].(*appsv1.Deployment)
	for _, l := range []map[string]string{d.Labels, d.Spec.Template.Labels} {
		if l[LabelFunction] != "hello" || l[LabelManagedBy] != ManagedBy || l["team"] != "payments" {
			t.Errorf("labels %v", l)
		}
	}
	if d.Spec.Selector.MatchLabels[LabelFunction] != d.Spec.Template.Labels[LabelFunction] {
		t.Errorf("the selector does not select the pods: %v vs %v", d.Spec.Selector.MatchLabels, d.Spec.Template.Labels)
	}
}

func TestKnativeAnnotations(t *testing.T) {
	plain := hello()
	objs, _ := Serving(plain, DefaultConfig(), plain.Spec.Image, nil)
	if a := objs[0].(*servingv1.Service).Spec.Template.Annotations; a != nil {
		t.Errorf("no scale options, no annotations: %v", a)
	}
	scaled := hello(func(f *v1alpha1.Function) {
		f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{MinReplicas: ptr(int32(0)), MaxReplicas: ptr(int32(3)),
			Knative: map[string]string{"target": "10", "autoscaling.knative.dev/metric": "rps"}}
	})
	objs, _ = Serving(scaled, DefaultConfig(), scaled.Spec.Image, nil)
	a := objs[0].(*servingv1.Service).Spec.Template.Annotations
	if a["autoscaling.knative.dev/min-scale"] != "0" || a["autoscaling.knative.dev/max-scale"] != "3" || a["autoscaling.knative.dev/target"] != "10" || a["autoscaling.knative.dev/metric"] != "rps" {
		t.Errorf("annotations %v", a)
	}
}

// TestJobHasNoScaledObject: KEDA triggers on a Job workload go to its
// ScaledJob; no ScaledObject targets it.
func TestJobHasNoScaledObject(t *testing.T) {
	f := hello(func(f *v1alpha1.Function) {
		f.Spec.Build = nil
		f.Spec.Serving.Triggers = &v1alpha1.Triggers{Dapr: []*v1alpha1.DaprTrigger{{Name: "in"}}}
		f.Spec.Serving.WorkloadType = v1alpha1.WorkloadJob
		f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{Keda: &v1alpha1.KedaScaleOptions{Triggers: []v1alpha1.ScaleTrigger{{Type: "cron"}}}}
	})
	objs, err := Serving(f, DefaultConfig(), f.Spec.Image, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		if _, ok := o.(*kedav1alpha1.ScaledObject); ok {
			t.Fatal("a ScaledObject for a Job")
		}
	}
	if sj := objs[0].(*kedav1alpha1.ScaledJob); len(sj.Spec.Triggers) != 1 {
		t.Errorf("ScaledJob triggers %+v", sj.Spec.Triggers)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
