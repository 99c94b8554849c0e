package reconciler

import (
	"os"
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

const (
	ns      = "default"
	image   = "registry.example.com/fn/hello"
	digest1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digest2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// function is a sync Function with a build, as stored (with the finalizer
// the controller added), changed by muts.
func function(muts ...func(*v1alpha1.Function)) *v1alpha1.Function {
	f := &v1alpha1.Function{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1alpha1.GroupVersion.String(), Kind: "Function"},
		ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: ns, UID: "uid-hello", Generation: 1, Finalizers: []string{Finalizer}},
		Spec: v1alpha1.FunctionSpec{
			Image: image,
			Build: &v1alpha1.BuildImpl{SrcRepo: &v1alpha1.GitRepo{URL: "https://github.com/example/fns.git"},
				Env: map[string]string{"FUNC_NAME": "HelloWorld"}},
			Serving: &v1alpha1.ServingImpl{},
		},
	}
	for _, m := range muts {
		m(f)
	}
	return f
}

func noBuild(f *v1alpha1.Function)   { f.Spec.Build = nil }
func noServing(f *v1alpha1.Function) { f.Spec.Serving = nil }

// servedLastGood is a Function that built and served digest1 before.
func servedLastGood(f *v1alpha1.Function) {
	f.Status.Revision = &v1alpha1.Revision{ImageDigest: image + "@" + digest1}
}

// rebuilt changes what the build depends on: a new build hash.
func rebuilt(f *v1alpha1.Function) { f.Spec.Build.Env["FUNC_NAME"] = "HelloAgain" }

func async(f *v1alpha1.Function) {
	f.Spec.Build = nil
	f.Spec.Serving = &v1alpha1.ServingImpl{
		Triggers: &v1alpha1.Triggers{Dapr: []*v1alpha1.DaprTrigger{{Name: "in"}}},
		Bindings: map[string]*v1alpha1.ComponentSpec{"in": {Type: "bindings.mqtt3", Version: "v1"}},
	}
}

func withRoute(f *v1alpha1.Function) {
	f.Spec.Serving.Triggers = &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{Route: &v1alpha1.RouteImpl{}}}
}

func defaulted(f *v1alpha1.Function) *v1alpha1.Function {
	d := f.DeepCopy()
	d.Default()
	return d
}

func runName(f *v1alpha1.Function) string {
	d := defaulted(f)
	return render.BuildRunName(d, render.BuildHash(d))
}

// buildRun is f's BuildRun for its current build hash with Shipwright's
// Succeeded condition (nil: not started) and output digest.
func buildRun(f *v1alpha1.Function, status corev1.ConditionStatus, reason, msg, digest string) *shp.BuildRun {
	d := defaulted(f)
	br := render.BuildRun(d, render.BuildHash(d))
	owner(f, br)
	if status != "" {
		br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: status, Reason: reason, Message: msg}}
	}
	if digest != "" {
		br.Status.Output = &shp.Output{Digest: digest}
	}
	return br
}

func succeeded(f *v1alpha1.Function, digest string) *shp.BuildRun {
	return buildRun(f, corev1.ConditionTrue, "Succeeded", "All Steps have completed executing", digest)
}

// serving is the workload the controller makes for f running img, as
// stored at generation 1.
func serving(t *testing.T, f *v1alpha1.Function, img string) client.Object {
	t.Helper()
	objs, err := render.Serving(defaulted(f), gatewayed(), img, nil)
	if err != nil {
		t.Fatal(err)
	}
	objs[0].SetGeneration(1)
	return owner(f, objs[0])
}

// knative is f's Knative Service running img, whose Ready condition Knative
// reported for generation observed.
func knative(t *testing.T, f *v1alpha1.Function, img string, ready corev1.ConditionStatus, reason, msg string, observed int64) *servingv1.Service {
	ks := serving(t, f, img).(*servingv1.Service)
	ks.Status.ObservedGeneration = observed
	ks.Status.URL = apis.HTTP("hello.default.svc.cluster.local")
	if ready != "" {
		ks.Status.Conditions = duckv1.Conditions{{Type: apis.ConditionReady, Status: ready, Reason: reason, Message: msg}}
	}
	return ks
}

func deployment(t *testing.T, f *v1alpha1.Function, available int32) *appsv1.Deployment {
	d := serving(t, f, image).(*appsv1.Deployment)
	d.Status.AvailableReplicas = available
	return d
}

func gatewayConfig(data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "kiln", Namespace: "kiln"}, Data: data}
}

var validGateway = map[string]string{"domain": "fn.example.com", "gatewayName": "kiln-gateway"}

// sharedGateway is validGateway shared with allowedNamespaces.
func sharedGateway(allowed string) map[string]string {
	m := map[string]string{"allowedNamespaces": allowed}
	for k, v := range validGateway {
		m[k] = v
	}
	return m
}

func testConfig() render.Config {
	cfg := render.DefaultConfig()
	for _, l := range []string{"go", "nodejs", "python", "java"} {
		dir := map[string]string{"nodejs": "node"}[l]
		if dir == "" {
			dir = l
		}
		cfg.Builders[l] = "registry.example.com/kiln/builder-" + dir + ":latest"
	}
	return cfg
}

// gatewayed is testConfig with validGateway, for fixtures with a route.
func gatewayed() render.Config {
	cfg := testConfig()
	g, err := render.GatewayFromConfigMap(gatewayConfig(validGateway))
	if err != nil {
		panic(err)
	}
	cfg.Gateway = g
	return cfg
}

// labelled is an object of kind o named name carrying f's label but made by
// someone else (no owner reference).
func labelled(o client.Object, name string) client.Object {
	o.SetName(name)
	o.SetNamespace(ns)
	o.SetLabels(map[string]string{render.LabelFunction: "hello"})
	return o
}

func scaledObject(f *v1alpha1.Function, name string, owned bool) client.Object {
	so := labelled(&kedav1alpha1.ScaledObject{Spec: kedav1alpha1.ScaledObjectSpec{ScaleTargetRef: &kedav1alpha1.ScaleTarget{Name: "hello"}}}, name)
	if owned {
		owner(f, so)
	}
	return so
}

// functionImage is the image of the function container of the workload in c
// ("" when there is none).
func functionImage(t *testing.T, c client.Client, kind client.Object) string {
	t.Helper()
	if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "hello"}, kind); err != nil {
		return ""
	}
	var pod corev1.PodSpec
	switch w := kind.(type) {
	case *servingv1.Service:
		pod = w.Spec.Template.Spec.PodSpec
	case *appsv1.Deployment:
		pod = w.Spec.Template.Spec
	default:
		t.Fatalf("functionImage of %T", kind)
	}
	for _, c := range pod.Containers {
		if c.Name == render.FunctionContainer {
			return c.Image
		}
	}
	t.Fatalf("no %s container in %T", render.FunctionContainer, kind)
	return ""
}

// kilnStrategy is controller/config/strategy's ClusterBuildStrategy, as
// committed.
func kilnStrategy(t *testing.T) *shp.ClusterBuildStrategy {
	t.Helper()
	b, err := os.ReadFile("../config/strategy/cluster_build_strategy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var s shp.ClusterBuildStrategy
	if err := yaml.UnmarshalStrict(b, &s); err != nil {
		t.Fatalf("controller/config/strategy/cluster_build_strategy.yaml: %v", err)
	}
	return &s
}
