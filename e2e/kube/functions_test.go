package kube

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

const wait = 20 * time.Second

var nsCounter atomic.Int32

// namespace makes a fresh namespace for one feature.
func namespace(t testing.TB, prefix string) string {
	ns := fmt.Sprintf("%s-%d-%d", prefix, time.Now().Unix()%100000, nsCounter.Add(1))
	if err := ensureNamespace(context.Background(), ns); err != nil {
		t.Fatal(err)
	}
	return ns
}

// function loads one of controller/render/testdata/functions into ns.
func function(t testing.TB, name, ns string) *v1alpha1.Function {
	b, err := os.ReadFile(filepath.Join(repo, "controller", "render", "testdata", "functions", name+".yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f v1alpha1.Function
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		t.Fatal(err)
	}
	f.Namespace = ns
	return &f
}

func get(ctx context.Context, ns, name string, o client.Object) error {
	return cl.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, o)
}

// condition waits until the Function's condition has status (and reason).
func condition(t *testing.T, ns, name, typ string, status metav1.ConditionStatus, reason string) *v1alpha1.Function {
	t.Helper()
	var f v1alpha1.Function
	eventually(t, wait, fmt.Sprintf("Function %s/%s %s=%s %s", ns, name, typ, status, reason), func() error {
		if err := get(context.Background(), ns, name, &f); err != nil {
			return err
		}
		c := meta.FindStatusCondition(f.Status.Conditions, typ)
		if c == nil || c.Status != status || (reason != "" && c.Reason != reason) {
			return fmt.Errorf("conditions: %s", dump(f.Status.Conditions))
		}
		return nil
	})
	return &f
}

// updateFunction changes the stored Function, again on a conflict (the
// controller writes its status and finalizer meanwhile).
func updateFunction(t *testing.T, ns, name string, change func(*v1alpha1.Function)) {
	t.Helper()
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var f v1alpha1.Function
		if err := get(context.Background(), ns, name, &f); err != nil {
			return err
		}
		change(&f)
		return cl.Update(context.Background(), &f)
	})
	if err != nil {
		t.Fatalf("updating Function %s/%s: %v", ns, name, err)
	}
}

// play writes o's status as the controller that owns its kind would: it
// waits for ns/name, then sets its status with set (again on a conflict:
// the controller applies the object meanwhile).
func play(t *testing.T, ns, name string, o client.Object, set func()) {
	t.Helper()
	eventually(t, wait, fmt.Sprintf("%T %s", o, name), func() error { return get(context.Background(), ns, name, o) })
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := get(context.Background(), ns, name, o); err != nil {
			return err
		}
		set()
		return cl.Status().Update(context.Background(), o)
	})
	if err != nil {
		t.Fatalf("playing the controller of %T %s: %v", o, name, err)
	}
}

// playShipwright marks the BuildRun succeeded with digest, as Shipwright does.
func playShipwright(t *testing.T, ns, name, digest string) {
	t.Helper()
	var br shp.BuildRun
	play(t, ns, name, &br, func() {
		now := metav1.Now()
		br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: corev1.ConditionTrue, Reason: "Succeeded", Message: "All Steps have completed executing", LastTransitionTime: now}}
		br.Status.Output = &shp.Output{Digest: digest, Size: 4_900_000}
		br.Status.CompletionTime = &now
	})
}

// buildSucceeds waits for the Function's BuildRun to be named in its status
// and marks it succeeded with digest, as Shipwright does; it returns the
// Function as stored then.
func buildSucceeds(t *testing.T, ns, name, digest string) *v1alpha1.Function {
	t.Helper()
	var fn v1alpha1.Function
	eventually(t, wait, "BuildRun name in status", func() error {
		if err := get(context.Background(), ns, name, &fn); err != nil {
			return err
		}
		if fn.Status.Build == nil || fn.Status.Build.ResourceRef == "" {
			return fmt.Errorf("no build status yet")
		}
		return nil
	})
	playShipwright(t, ns, fn.Status.Build.ResourceRef, digest)
	return &fn
}

// playShipwrightFailed marks the BuildRun failed, as Shipwright does when a
// build step exits non-zero.
func playShipwrightFailed(t *testing.T, ns, name string) {
	t.Helper()
	var br shp.BuildRun
	play(t, ns, name, &br, func() {
		now := metav1.Now()
		br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: corev1.ConditionFalse, Reason: "Failed", Message: "step-build exited with 1", LastTransitionTime: now}}
		br.Status.CompletionTime = &now
	})
}

// playKnative marks the Knative Service ready with its cluster URL and
// all its traffic on its first revision.
func playKnative(t *testing.T, ns, name string) {
	t.Helper()
	var ks servingv1.Service
	play(t, ns, name, &ks, func() {
		ks.Status.Conditions = duckv1.Conditions{{Type: apis.ConditionReady, Status: corev1.ConditionTrue, LastTransitionTime: apis.VolatileTime{Inner: metav1.Now()}}}
		ks.Status.URL = apis.HTTP(fmt.Sprintf("%s.%s.svc.cluster.local", name, ns))
		ks.Status.ObservedGeneration = ks.Generation
		hundred, latest := int64(100), true
		ks.Status.Traffic = []servingv1.TrafficTarget{{RevisionName: name + "-00001", Percent: &hundred, LatestRevision: &latest}}
	})
}

// playGateway waits until the HTTPRoute's backend is the revision
// playKnative names, then accepts the route for its Gateway, as a Gateway
// implementation does.
func playGateway(t *testing.T, ns, name string) {
	t.Helper()
	var route gatewayv1.HTTPRoute
	eventually(t, wait, "the HTTPRoute's backend to be the Knative Service's revision", func() error {
		if err := get(context.Background(), ns, name, &route); err != nil {
			return err
		}
		if r := route.Spec.Rules; len(r) == 0 || len(r[0].BackendRefs) != 1 || string(r[0].BackendRefs[0].Name) != name+"-00001" {
			return fmt.Errorf("HTTPRoute rules %s", dump(r))
		}
		return nil
	})
	play(t, ns, name, &route, func() {
		now := metav1.Now()
		route.Status.Parents = []gatewayv1.RouteParentStatus{{ParentRef: route.Spec.ParentRefs[0], ControllerName: "example.com/e2e-gateway",
			Conditions: []metav1.Condition{
				{Type: "Accepted", Status: metav1.ConditionTrue, Reason: "Accepted", ObservedGeneration: route.Generation, LastTransitionTime: now},
				{Type: "ResolvedRefs", Status: metav1.ConditionTrue, Reason: "ResolvedRefs", ObservedGeneration: route.Generation, LastTransitionTime: now}}}}
	})
}

// playDeployment marks the Deployment as having an available replica.
func playDeployment(t *testing.T, ns, name string) {
	t.Helper()
	var d appsv1.Deployment
	play(t, ns, name, &d, func() { d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas = 1, 1, 1 })
}

// gone waits until the object no longer exists.
func gone(t *testing.T, ns, name string, o client.Object) {
	t.Helper()
	eventually(t, wait, fmt.Sprintf("%T %s deleted", o, name), func() error {
		err := get(context.Background(), ns, name, o)
		if apierrors.IsNotFound(err) {
			return nil
		}
		return fmt.Errorf("still there (%v)", err)
	})
}

func ownedBy(t *testing.T, o client.Object, f *v1alpha1.Function) {
	t.Helper()
	if !metav1.IsControlledBy(o, f) {
		t.Fatalf("%T %s is not controlled by Function %s: %v", o, o.GetName(), f.Name, o.GetOwnerReferences())
	}
}

const (
	digest1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	digest2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

func TestSyncFunction(t *testing.T) {
	var ns string
	f := features.New("sync function with a route: build → Knative Service + HTTPRoute → ready → update → delete").
		Assess("the Build, its cache and a BuildRun appear; serving waits for the build", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns = namespace(t, "sync")
			fn := function(t, "sync-route", ns)
			if err := cl.Create(ctx, fn); err != nil {
				t.Fatal(err)
			}
			var b shp.Build
			eventually(t, wait, "Build", func() error { return get(ctx, ns, "greeter-build", &b) })
			var pvc corev1.PersistentVolumeClaim
			eventually(t, wait, "build cache PVC", func() error { return get(ctx, ns, "greeter-build-cache", &pvc) })
			if b.Spec.Strategy.Name != "kiln" || b.Spec.Source.Git.URL != "https://github.com/example/functions.git" || *b.Spec.Source.ContextDir != "nodejs/greeter" {
				t.Fatalf("Build spec: %s", dump(b.Spec))
			}
			got := condition(t, ns, "greeter", v1alpha1.ConditionBuilt, metav1.ConditionUnknown, "Building")
			if got.Status.Serving == nil || got.Status.Serving.State != v1alpha1.StatePending {
				t.Fatalf("serving before the build: %s", dump(got.Status))
			}
			if err := get(ctx, ns, "greeter", &servingv1.Service{}); !apierrors.IsNotFound(err) {
				t.Fatalf("a Knative Service exists before the build succeeded: %v", err)
			}
			return ctx
		}).
		Assess("the BuildRun succeeds: Knative Service pinned to the digest, HTTPRoute on the gateway", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			var fn v1alpha1.Function
			if err := get(ctx, ns, "greeter", &fn); err != nil {
				t.Fatal(err)
			}
			playShipwright(t, ns, fn.Status.Build.ResourceRef, digest1)
			var ks servingv1.Service
			eventually(t, wait, "Knative Service", func() error { return get(ctx, ns, "greeter", &ks) })
			c := ks.Spec.Template.Spec.Containers[0]
			if c.Image != "registry.example.com/fn/greeter@"+digest1 || c.Ports[0].ContainerPort != 9000 {
				t.Fatalf("Knative Service container: %s", dump(c))
			}
			ownedBy(t, &ks, &fn)
			var route gatewayv1.HTTPRoute
			eventually(t, wait, "HTTPRoute", func() error { return get(ctx, ns, "greeter", &route) })
			if route.Spec.ParentRefs[0].Name != "kiln-gateway" || string(route.Spec.Hostnames[0]) != "api.example.com" ||
				*route.Spec.Rules[0].Matches[0].Path.Value != "/"+ns+"/greeter" {
				t.Fatalf("HTTPRoute: %s", dump(route.Spec))
			}
			condition(t, ns, "greeter", v1alpha1.ConditionServingReady, metav1.ConditionUnknown, "KnativeServiceNotReady")
			return ctx
		}).
		Assess("Knative reports ready, the Gateway accepts the route: the Function is Ready with its URLs", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			playKnative(t, ns, "greeter")
			condition(t, ns, "greeter", v1alpha1.ConditionServingReady, metav1.ConditionUnknown, "RouteNotReady")
			playGateway(t, ns, "greeter")
			fn := condition(t, ns, "greeter", v1alpha1.ConditionReady, metav1.ConditionTrue, "Ready")
			if fn.Status.URL != "http://api.example.com/"+ns+"/greeter" || fn.Status.Revision.ImageDigest != "registry.example.com/fn/greeter@"+digest1 ||
				fn.Status.Serving.State != v1alpha1.StateRunning || fn.Status.ObservedGeneration != fn.Generation {
				t.Fatalf("status: %s", dump(fn.Status))
			}
			if len(fn.Status.Addresses) != 2 || fn.Status.Addresses[0].Value != "http://greeter."+ns+".svc.cluster.local" {
				t.Fatalf("addresses: %s", dump(fn.Status.Addresses))
			}
			return ctx
		}).
		Assess("a serving change rolls the Knative Service without a build; a build change starts one BuildRun; a failed one leaves serving on the last good digest, the next good one rolls it forward", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			var fn v1alpha1.Function
			if err := get(ctx, ns, "greeter", &fn); err != nil {
				t.Fatal(err)
			}
			firstRun := fn.Status.Build.ResourceRef
			updateFunction(t, ns, "greeter", func(f *v1alpha1.Function) { f.Spec.Serving.Params = map[string]string{"GREETING": "Hej"} })
			eventually(t, wait, "GREETING in the Knative Service", func() error {
				var ks servingv1.Service
				if err := get(ctx, ns, "greeter", &ks); err != nil {
					return err
				}
				for _, e := range ks.Spec.Template.Spec.Containers[0].Env {
					if e.Name == "GREETING" && e.Value == "Hej" {
						return nil
					}
				}
				return fmt.Errorf("env %v", ks.Spec.Template.Spec.Containers[0].Env)
			})
			var runs shp.BuildRunList
			if err := cl.List(ctx, &runs, client.InNamespace(ns)); err != nil || len(runs.Items) != 1 {
				t.Fatalf("a serving change must not build: %d BuildRuns (%v)", len(runs.Items), err)
			}

			updateFunction(t, ns, "greeter", func(f *v1alpha1.Function) { f.Spec.Build.Env["FUNC_NAME"] = "greetLoudly" })
			var second string
			eventually(t, wait, "a second BuildRun", func() error {
				var f v1alpha1.Function
				if err := get(ctx, ns, "greeter", &f); err != nil {
					return err
				}
				if f.Status.Build == nil || f.Status.Build.ResourceRef == firstRun {
					return fmt.Errorf("build status %s", dump(f.Status.Build))
				}
				second = f.Status.Build.ResourceRef
				return nil
			})
			var ks servingv1.Service
			if err := get(ctx, ns, "greeter", &ks); err != nil || !strings.HasSuffix(ks.Spec.Template.Spec.Containers[0].Image, digest1) {
				t.Fatalf("while building, serving keeps the last good image: %v %v", err, ks.Spec.Template.Spec.Containers[0].Image)
			}
			playShipwrightFailed(t, ns, second)
			failed := condition(t, ns, "greeter", v1alpha1.ConditionBuilt, metav1.ConditionFalse, "BuildRunFailed")
			if c := failed.Status.GetCondition(v1alpha1.ConditionReady); c.Status != metav1.ConditionFalse || !strings.Contains(c.Message, "BuildRun "+second+" failed: Failed: step-build exited with 1") {
				t.Fatalf("Ready after a failed build: %s", dump(c))
			}
			if err := get(ctx, ns, "greeter", &ks); err != nil || ks.Spec.Template.Spec.Containers[0].Image != "registry.example.com/fn/greeter@"+digest1 ||
				failed.Status.Revision.ImageDigest != "registry.example.com/fn/greeter@"+digest1 {
				t.Fatalf("a failed build must leave serving on the last good digest: %v %s %s", err, ks.Spec.Template.Spec.Containers[0].Image, dump(failed.Status.Revision))
			}

			updateFunction(t, ns, "greeter", func(f *v1alpha1.Function) { f.Spec.Build.Env["FUNC_NAME"] = "greetFixed" })
			var third string
			eventually(t, wait, "a third BuildRun", func() error {
				var f v1alpha1.Function
				if err := get(ctx, ns, "greeter", &f); err != nil {
					return err
				}
				if f.Status.Build == nil || f.Status.Build.ResourceRef == second || f.Status.Build.ResourceRef == firstRun {
					return fmt.Errorf("build status %s", dump(f.Status.Build))
				}
				third = f.Status.Build.ResourceRef
				return nil
			})
			playShipwright(t, ns, third, digest2)
			eventually(t, wait, "serving rolls forward to the new digest", func() error {
				if err := get(ctx, ns, "greeter", &ks); err != nil {
					return err
				}
				if img := ks.Spec.Template.Spec.Containers[0].Image; img != "registry.example.com/fn/greeter@"+digest2 {
					return fmt.Errorf("image %s", img)
				}
				return nil
			})
			return ctx
		}).
		Assess("deleting the Function deletes everything it made, and only that", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			var fn v1alpha1.Function
			if err := get(ctx, ns, "greeter", &fn); err != nil {
				t.Fatal(err)
			}
			// A Deployment of the user's carrying the function's label: not the
			// Function's (no owner reference), so it stays.
			users := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: "users-own", Namespace: ns, Labels: map[string]string{"core.kiln.dev/function": "greeter"}},
				Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "x"}},
					Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "x"}},
						Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "x", Image: "registry.example.com/x:1"}}}}}}
			if err := cl.Create(ctx, users); err != nil {
				t.Fatal(err)
			}
			if err := cl.Delete(ctx, &fn); err != nil {
				t.Fatal(err)
			}
			gone(t, ns, "greeter", &v1alpha1.Function{})
			if err := get(ctx, ns, "users-own", &appsv1.Deployment{}); err != nil {
				t.Fatalf("the user's labelled Deployment did not survive the Function: %v", err)
			}
			gone(t, ns, "greeter", &servingv1.Service{})
			gone(t, ns, "greeter", &gatewayv1.HTTPRoute{})
			gone(t, ns, "greeter-build", &shp.Build{})
			var runs shp.BuildRunList
			if err := cl.List(ctx, &runs, client.InNamespace(ns)); err != nil || len(runs.Items) != 0 {
				t.Fatalf("BuildRuns left: %d (%v)", len(runs.Items), err)
			}
			var pvcs corev1.PersistentVolumeClaimList
			eventually(t, wait, "PVCs deleted", func() error {
				if err := cl.List(ctx, &pvcs, client.InNamespace(ns)); err != nil {
					return err
				}
				for _, p := range pvcs.Items {
					if p.DeletionTimestamp.IsZero() {
						return fmt.Errorf("PVC %s left", p.Name)
					}
				}
				return nil
			})
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

func TestAsyncFunctions(t *testing.T) {
	mqtt := features.New("async MQTT in→out: Deployment with Dapr, two Components, FUNC_CONTEXT").
		Assess("objects appear and are accepted; ready when the Deployment is available", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "mqtt")
			fn := function(t, "async-mqtt", ns)
			if err := cl.Create(ctx, fn); err != nil {
				t.Fatal(err)
			}
			buildSucceeds(t, ns, "mqtt-echo", digest1)
			var d appsv1.Deployment
			eventually(t, wait, "Deployment", func() error { return get(ctx, ns, "mqtt-echo", &d) })
			ann := d.Spec.Template.Annotations
			if ann["dapr.io/enabled"] != "true" || ann["dapr.io/app-id"] != "mqtt-echo-"+ns || ann["dapr.io/app-protocol"] != "http" {
				t.Fatalf("Dapr annotations: %v", ann)
			}
			fc := envValue(d.Spec.Template.Spec.Containers[0].Env, "FUNC_CONTEXT")
			if !strings.Contains(fc, `"runtime":"Async"`) || !strings.Contains(fc, `"componentName":"mqtt-echo-mqtt-out"`) {
				t.Fatalf("FUNC_CONTEXT: %s", fc)
			}
			for _, c := range []string{"mqtt-echo-mqtt-in", "mqtt-echo-mqtt-out"} {
				var comp daprv1alpha1.Component
				eventually(t, wait, "Component "+c, func() error { return get(ctx, ns, c, &comp) })
				if comp.Spec.Type != "bindings.mqtt3" || comp.Scopes[0] != "mqtt-echo-"+ns {
					t.Fatalf("Component %s: %s", c, dump(comp))
				}
			}
			if err := get(ctx, ns, "mqtt-echo", &kedav1alpha1.ScaledObject{}); !apierrors.IsNotFound(err) {
				t.Fatalf("no KEDA triggers, no ScaledObject: %v", err)
			}
			condition(t, ns, "mqtt-echo", v1alpha1.ConditionServingReady, metav1.ConditionUnknown, "DeploymentUnavailable")
			playDeployment(t, ns, "mqtt-echo")
			condition(t, ns, "mqtt-echo", v1alpha1.ConditionReady, metav1.ConditionTrue, "Ready")
			return ctx
		}).Feature()

	kafka := features.New("async Kafka pub/sub with KEDA: ScaledObject, state stores; removing the triggers removes the ScaledObject").
		Assess("ScaledObject and Components accepted by the real CRDs", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "kafka")
			fn := function(t, "async-kafka", ns)
			if err := cl.Create(ctx, fn); err != nil {
				t.Fatal(err)
			}
			var so kedav1alpha1.ScaledObject
			eventually(t, wait, "ScaledObject", func() error { return get(ctx, ns, "logs-handler", &so) })
			if so.Spec.ScaleTargetRef.Name != "logs-handler" || *so.Spec.MaxReplicaCount != 10 || so.Spec.Triggers[0].Type != "kafka" {
				t.Fatalf("ScaledObject: %s", dump(so.Spec))
			}
			var comps daprv1alpha1.ComponentList
			eventually(t, wait, "three Components: the Kafka pub/sub and output binding, the declared state store (not the existing one)", func() error {
				if err := cl.List(ctx, &comps, client.InNamespace(ns)); err != nil {
					return err
				}
				if len(comps.Items) != 3 {
					return fmt.Errorf("%d components", len(comps.Items))
				}
				return nil
			})
			var d appsv1.Deployment
			if err := get(ctx, ns, "logs-handler", &d); err != nil || d.Spec.Template.Spec.Containers[0].Image != fn.Spec.Image {
				t.Fatalf("no build: spec.image is served as is: %v", err)
			}
			condition(t, ns, "logs-handler", v1alpha1.ConditionBuilt, metav1.ConditionTrue, "NoBuild")

			updateFunction(t, ns, "logs-handler", func(f *v1alpha1.Function) { f.Spec.Serving.ScaleOptions.Keda = nil })
			gone(t, ns, "logs-handler", &kedav1alpha1.ScaledObject{})
			return ctx
		}).Feature()

	job := features.New("async cron Job: KEDA ScaledJob").
		Assess("ScaledJob with the function's pod template", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "job")
			if err := cl.Create(ctx, function(t, "async-job", ns)); err != nil {
				t.Fatal(err)
			}
			var sj kedav1alpha1.ScaledJob
			eventually(t, wait, "ScaledJob", func() error { return get(ctx, ns, "cron-report", &sj) })
			if sj.Spec.JobTargetRef.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure || sj.Spec.ScalingStrategy.Strategy != "accurate" {
				t.Fatalf("ScaledJob: %s", dump(sj.Spec))
			}
			condition(t, ns, "cron-report", v1alpha1.ConditionReady, metav1.ConditionTrue, "Ready")
			return ctx
		}).Feature()
	sts := features.New("async Redis pub/sub on a StatefulSet with a KEDA fallback").
		Assess("StatefulSet and ScaledObject targeting it; ready when a replica is", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "sts")
			if err := cl.Create(ctx, function(t, "statefulset-redis", ns)); err != nil {
				t.Fatal(err)
			}
			var so kedav1alpha1.ScaledObject
			eventually(t, wait, "ScaledObject", func() error { return get(ctx, ns, "order-tally", &so) })
			if so.Spec.ScaleTargetRef.Kind != "StatefulSet" || so.Spec.Fallback.Replicas != 2 {
				t.Fatalf("ScaledObject: %s", dump(so.Spec))
			}
			var s appsv1.StatefulSet
			eventually(t, wait, "StatefulSet", func() error { return get(ctx, ns, "order-tally", &s) })
			// KEDA owns the scale of a workload it scales: the controller
			// sets no replicas, so the API server's default (1) stands until
			// KEDA's HPA changes it (the fallback's 2 is KEDA's to apply).
			if *s.Spec.Replicas != 1 || !strings.Contains(envValue(s.Spec.Template.Spec.Containers[0].Env, "FUNC_CONTEXT"), `"pluginsTracing":{"enabled":true`) {
				t.Fatalf("StatefulSet: %s", dump(s.Spec))
			}
			condition(t, ns, "order-tally", v1alpha1.ConditionServingReady, metav1.ConditionUnknown, "StatefulSetNotReady")
			play(t, ns, "order-tally", &s, func() { s.Status.Replicas, s.Status.ReadyReplicas, s.Status.AvailableReplicas = 2, 2, 2 })
			condition(t, ns, "order-tally", v1alpha1.ConditionReady, metav1.ConditionTrue, "Ready")
			return ctx
		}).Feature()
	testenv.Test(t, mqtt, kafka, job, sts)
}

func TestInvalidFunctions(t *testing.T) {
	f := features.New("invalid Functions are rejected with the field at fault").
		Assess("the API server rejects what the CRD schema can tell", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "invalid")
			for _, tc := range []struct {
				name   string
				mutate func(*v1alpha1.Function)
				want   string
			}{
				{"neither", func(f *v1alpha1.Function) { f.Spec.Build, f.Spec.Serving = nil, nil }, "set at least one of build or serving"},
				{"replicas", func(f *v1alpha1.Function) {
					f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{MinReplicas: ptr(int32(3)), MaxReplicas: ptr(int32(1))}
				}, "spec.serving.scaleOptions: Invalid value: minReplicas must be <= maxReplicas"},
				{"engine", func(f *v1alpha1.Function) {
					f.Spec.Serving.Triggers = &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{Engine: ptr("openwhisk")}}
				}, `spec.serving.triggers.http.engine: Unsupported value: "openwhisk"`},
				{"no source", func(f *v1alpha1.Function) { f.Spec.Build.SrcRepo = nil }, "spec.build: Invalid value: srcRepo.url is required"},
				{"no image", func(f *v1alpha1.Function) { f.Spec.Image = "" }, "spec.image"},
			} {
				fn := function(t, "sync-hello", ns)
				fn.Name = "bad-" + strings.ReplaceAll(tc.name, " ", "-")
				tc.mutate(fn)
				err := cl.Create(ctx, fn)
				if err == nil || !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), tc.want) {
					t.Errorf("%s: got %v, want Invalid with %q", tc.name, err, tc.want)
				}
			}
			return ctx
		}).
		Assess("the controller reports the rest as conditions naming the field: the spec, the Gateway config, the pod template policy", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "invalid-cond")
			fn := function(t, "async-kafka", ns)
			fn.Spec.Serving.Triggers.Dapr[0].Topic = ""
			if err := cl.Create(ctx, fn); err != nil {
				t.Fatal(err)
			}
			got := condition(t, ns, fn.Name, v1alpha1.ConditionReady, metav1.ConditionFalse, "InvalidSpec")
			if c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ConditionReady); !strings.Contains(c.Message, "spec.serving.triggers.dapr[0].topic: Required value: logs is a pub/sub component") {
				t.Fatalf("message: %s", c.Message)
			}
			route := function(t, "sync-route", ns)
			route.Spec.Serving.Triggers.HTTP.Route.GatewayRef = &v1alpha1.GatewayRef{Name: "nope", Namespace: ns}
			expectForbidden("/api/v1/namespaces/" + ns + "/configmaps/") // the controller reads Gateway configs in kiln only
			if err := cl.Create(ctx, route); err != nil {
				t.Fatal(err)
			}
			got = condition(t, ns, route.Name, v1alpha1.ConditionServingReady, metav1.ConditionFalse, "GatewayConfigDenied")
			if c := meta.FindStatusCondition(got.Status.Conditions, v1alpha1.ConditionServingReady); !strings.Contains(c.Message, "the controller may not read ConfigMaps in namespace "+ns) {
				t.Fatalf("a Gateway config where the controller may not read ConfigMaps: %s", c.Message)
			}
			for _, tc := range []struct{ name, ref, reason, msg string }{
				{"missing", "nope", "GatewayConfigNotFound", "no Gateway config ConfigMap kiln/nope"},
				{"private", "private", "GatewayConfigDenied", "Gateway config kiln/private is not shared with namespace " + ns},
			} {
				fn := function(t, "sync-route", ns)
				fn.Name = "route-" + tc.name
				fn.Spec.Serving.Triggers.HTTP.Route.GatewayRef = &v1alpha1.GatewayRef{Name: tc.ref, Namespace: gatewayNS}
				if err := cl.Create(ctx, fn); err != nil {
					t.Fatal(err)
				}
				got = condition(t, ns, fn.Name, v1alpha1.ConditionServingReady, metav1.ConditionFalse, tc.reason)
				if c := got.Status.GetCondition(v1alpha1.ConditionServingReady); !strings.Contains(c.Message, tc.msg) {
					t.Fatalf("%s: %s", tc.name, c.Message)
				}
				if err := get(ctx, ns, fn.Name, &gatewayv1.HTTPRoute{}); !apierrors.IsNotFound(err) {
					t.Fatalf("%s: an HTTPRoute exists: %v", tc.name, err)
				}
			}

			priv := function(t, "async-mqtt", ns)
			priv.Name = "host-mounter"
			priv.Spec.Serving.Template = &corev1.PodSpec{Volumes: []corev1.Volume{{Name: "root", VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/"}}}},
				Containers: []corev1.Container{{Name: "function", SecurityContext: &corev1.SecurityContext{Privileged: ptr(true)}}}}
			if err := cl.Create(ctx, priv); err != nil {
				t.Fatal(err)
			}
			got = condition(t, ns, priv.Name, v1alpha1.ConditionReady, metav1.ConditionFalse, "InvalidSpec")
			for _, want := range []string{"spec.serving.template.volumes[0].hostPath: Forbidden: a hostPath volume is not allowed in a Function's pod; a cluster admin allows it with the controller's --allow-privileged-templates",
				"spec.serving.template.containers[0].securityContext.privileged: Forbidden"} {
				if c := got.Status.GetCondition(v1alpha1.ConditionReady); !strings.Contains(c.Message, want) {
					t.Fatalf("privileged template: %s", c.Message)
				}
			}
			if err := get(ctx, ns, priv.Name, &appsv1.Deployment{}); !apierrors.IsNotFound(err) {
				t.Fatalf("a Deployment was made for a privileged template: %v", err)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

func envValue(env []corev1.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func ptr[T any](v T) *T { return &v }
