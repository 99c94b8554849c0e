package reconciler

import (
	"context"
	"errors"
	"strings"
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
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func ctx() context.Context { return context.Background() }

// row is one transition: the stored Function and the objects around it, the
// API server's failures, and what one Reconcile must leave behind.
type row struct {
	name string
	fn   *v1alpha1.Function
	objs func(t *testing.T, f *v1alpha1.Function) []client.Object
	fail []failure
	cfg  func(*FunctionReconciler)

	wantErr     string        // a retried error; "" for none
	wantRequeue time.Duration // a quiet retry
	// want is each condition as "Status Reason"; msgs a part of its message.
	want map[string]string
	msgs map[string]string
	// build and serving are status.build.state and status.serving.state;
	// revision is status.revision.imageDigest ("" for none).
	build, serving, revision string
	// served is the function container's image in the Knative Service
	// ("" for no Knative Service).
	served string
	check  func(t *testing.T, c client.Client, f *v1alpha1.Function)
}

var (
	errInternal = apierrors.NewInternalError(errors.New("etcd is sad"))
	errNoMatch  = &meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "serving.knative.dev", Kind: "Service"}, SearchedVersions: []string{"v1"}}
	errConflict = apierrors.NewConflict(schema.GroupResource{Group: "core.kiln.dev", Resource: "functions"}, "hello", errors.New("the object has been modified"))
	errInvalid  = apierrors.NewInvalid(schema.GroupKind{Group: "serving.knative.dev", Kind: "Service"}, "hello",
		field.ErrorList{field.Invalid(field.NewPath("spec", "template", "spec", "containers").Index(0).Child("ports"), 1, "must be >= 1024 here")})
)

func ready(s, r string) string { return s + " " + r }

func rows() []row {
	return []row{{
		name:  "a new Function: the finalizer is added, the build starts, serving waits for it",
		fn:    function(func(f *v1alpha1.Function) { f.Finalizers = nil }),
		build: v1alpha1.StateBuilding, serving: v1alpha1.StatePending,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("Unknown", "Building"),
			v1alpha1.ConditionServingReady: ready("Unknown", "WaitingForBuild"),
			v1alpha1.ConditionReady:        ready("Unknown", "Building"),
		},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "BuildRun " + runName(function()) + " is running"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			if !hasFinalizer(f) || f.Status.ObservedGeneration != 1 || f.Status.Build.ResourceRef != runName(f) {
				t.Errorf("finalizer %v, observedGeneration %d, build %+v", f.Finalizers, f.Status.ObservedGeneration, f.Status.Build)
			}
			for _, o := range []client.Object{&corev1.PersistentVolumeClaim{}, &shp.Build{}, &shp.BuildRun{}} {
				name := map[string]string{"*v1.PersistentVolumeClaim": "hello-build-cache", "*v1beta1.Build": "hello-build", "*v1beta1.BuildRun": runName(f)}[typeName(o)]
				mustControl(t, c, f, name, o)
			}
		},
	}, {
		name: "the BuildRun runs",
		fn:   function(),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return buildRun(f, corev1.ConditionUnknown, "Pending", "", "")
		}),
		build: v1alpha1.StateBuilding, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("Unknown", "Building"), v1alpha1.ConditionReady: ready("Unknown", "Building")},
	}, {
		name: "the first build fails: nothing is served",
		fn:   function(),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return buildRun(f, corev1.ConditionFalse, "Failed", "step-build exited with 1", "")
		}),
		build: v1alpha1.StateFailed, serving: v1alpha1.StatePending,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("False", "BuildRunFailed"),
			v1alpha1.ConditionServingReady: ready("Unknown", "WaitingForBuild"),
			v1alpha1.ConditionReady:        ready("False", "BuildRunFailed"),
		},
		msgs: map[string]string{v1alpha1.ConditionReady: "BuildRun " + runName(function()) + " failed: Failed: step-build exited with 1 (kubectl logs"},
	}, {
		name: "the first build times out",
		fn:   function(),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return buildRun(f, corev1.ConditionFalse, "BuildRunTimeout", "exceeded 10m0s", "")
		}),
		build: v1alpha1.StateTimeout, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuildRunTimeout"), v1alpha1.ConditionReady: ready("False", "BuildRunTimeout")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "timed out: exceeded 10m0s"},
	}, {
		name: "Shipwright failed the run for a Build its cache had not seen yet: the run is started again",
		fn:   function(),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return buildRun(f, corev1.ConditionFalse, "BuildNotFound", `build.shipwright.io "hello-build" not found`, "")
		}),
		build: v1alpha1.StateBuilding, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("Unknown", "Building"), v1alpha1.ConditionReady: ready("Unknown", "Building")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var run shp.BuildRun
			err := c.Get(context.Background(), client.ObjectKey{Namespace: f.Namespace, Name: runName(f)}, &run)
			if !apierrors.IsNotFound(err) && run.DeletionTimestamp == nil {
				t.Errorf("the failed run is still there: %v %+v", err, run.Status.Conditions)
			}
		},
	}, {
		name:  "the build succeeds without a digest: nothing to pin, nothing served",
		fn:    function(),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, "") }),
		build: v1alpha1.StateFailed, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "NoDigest"), v1alpha1.ConditionReady: ready("False", "NoDigest")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "succeeded without an output digest"},
	}, {
		name:  "the build reports a digest that is not one",
		fn:    function(),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, "sha256:beef") }),
		build: v1alpha1.StateFailed,
		want:  map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuildRunFailed")},
		msgs:  map[string]string{v1alpha1.ConditionBuilt: `InvalidDigest: digest "sha256:beef"`},
	}, {
		name:  "the build succeeds: the Knative Service runs image@digest and waits for Knative",
		fn:    function(),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) }),
		build: v1alpha1.StateSucceeded, serving: v1alpha1.StateStarting, revision: image + "@" + digest1, served: image + "@" + digest1,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("True", "BuildRunSucceeded"),
			v1alpha1.ConditionServingReady: ready("Unknown", "KnativeServiceNotReady"),
			v1alpha1.ConditionReady:        ready("Unknown", "KnativeServiceNotReady"),
		},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "built " + image + "@" + digest1},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustControl(t, c, f, "hello", &servingv1.Service{})
			if f.Status.Serving.ResourceRef != "hello" || f.Status.Serving.ResourceHash == "" {
				t.Errorf("status.serving %+v", f.Status.Serving)
			}
		},
	}, {
		name:  "a registry with a port and a tag: pinned to the repository, port kept",
		fn:    function(func(f *v1alpha1.Function) { f.Spec.Image = "localhost:5000/fn/hello:v1" }),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) }),
		build: v1alpha1.StateSucceeded, revision: "localhost:5000/fn/hello@" + digest1, served: "localhost:5000/fn/hello@" + digest1,
	}, {
		name: "Knative reports the Service ready: the Function is Ready with its URL",
		fn:   function(),
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) },
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return knative(t, f, image+"@"+digest1, corev1.ConditionTrue, "", "", 1)
			}),
		build: v1alpha1.StateSucceeded, serving: v1alpha1.StateRunning, revision: image + "@" + digest1, served: image + "@" + digest1,
		want: map[string]string{
			v1alpha1.ConditionServingReady: ready("True", "KnativeServiceReady"),
			v1alpha1.ConditionReady:        ready("True", "Ready"),
		},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			if f.Status.URL != "http://hello.default.svc.cluster.local" || len(f.Status.Addresses) != 1 || f.Status.Addresses[0].Type != "Internal" {
				t.Errorf("url %q addresses %+v", f.Status.URL, f.Status.Addresses)
			}
		},
	}, {
		name: "Knative reports the Service failed",
		fn:   function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return knative(t, f, image, corev1.ConditionFalse, "RevisionFailed", "Revision hello-00001 failed: ImagePullBackOff", 1)
		}),
		serving: v1alpha1.StateFailed, served: image,
		want: map[string]string{
			v1alpha1.ConditionServingReady: ready("False", "RevisionFailed"),
			v1alpha1.ConditionReady:        ready("False", "RevisionFailed"),
		},
		msgs: map[string]string{v1alpha1.ConditionReady: "Knative Service hello: Revision hello-00001 failed: ImagePullBackOff"},
	}, {
		name:   "Knative reports a failure without a reason",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return knative(t, f, image, corev1.ConditionFalse, "", "broken", 1)
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("False", "KnativeServiceFailed")},
	}, {
		name:   "Knative reports progress",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return knative(t, f, image, corev1.ConditionUnknown, "Deploying", "waiting for the revision", 1)
		}),
		serving: v1alpha1.StateStarting,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "Deploying"), v1alpha1.ConditionReady: ready("Unknown", "Deploying")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "Knative Service hello: waiting for the revision"},
	}, {
		// Knative says Deploying until the progress deadline; the function's
		// container restarting after an exit is a failure now.
		name:   "the newest revision's function container crashes on start",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			ks := knative(t, f, image, corev1.ConditionUnknown, "Deploying", "", 1)
			ks.Status.LatestCreatedRevisionName = "hello-00002"
			ks.Status.LatestReadyRevisionName = "hello-00001"
			return ks
		}, func(t *testing.T, f *v1alpha1.Function) client.Object {
			return crashingPod("hello-00002-deployment-1", "hello-00002", "function")
		}, func(t *testing.T, f *v1alpha1.Function) client.Object {
			// Another revision's pod, and a sidecar's restarts, are not it.
			return crashingPod("hello-00001-deployment-1", "hello-00001", "function")
		}),
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "RevisionFailed"), v1alpha1.ConditionReady: ready("False", "RevisionFailed")},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "revision hello-00002: container function of pod hello-00002-deployment-1 exits on start (exit code 2, restarted 3 times): " +
			"panic: kiln e2e: crash on start | goroutine 1 [running]: | main.init() | exit status 2 (kubectl logs -n default hello-00002-deployment-1 -c function --previous)"},
	}, {
		name:   "a waiting revision whose sidecar restarts is still starting",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			ks := knative(t, f, image, corev1.ConditionUnknown, "Deploying", "", 1)
			ks.Status.LatestCreatedRevisionName = "hello-00001"
			return ks
		}, func(t *testing.T, f *v1alpha1.Function) client.Object {
			return crashingPod("hello-00001-deployment-1", "hello-00001", "queue-proxy")
		}),
		serving: v1alpha1.StateStarting,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "Deploying")},
		// No watch on pods: the controller looks again.
		wantRequeue: crashCheckInterval,
	}, {
		name:   "Knative's Ready is for an older generation: not ready yet",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			ks := knative(t, f, image, corev1.ConditionTrue, "", "", 1)
			ks.Generation = 2
			return ks
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "KnativeServiceNotReady")},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "waiting for Knative to pick up Knative Service hello"},
	}, {
		name: "a later build fails: serving stays on the last good digest",
		fn:   function(servedLastGood, rebuilt),
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return buildRun(f, corev1.ConditionFalse, "Failed", "compile error", "")
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return knative(t, f, image+"@"+digest1, corev1.ConditionTrue, "", "", 1)
			}),
		build: v1alpha1.StateFailed, serving: v1alpha1.StateRunning, revision: image + "@" + digest1, served: image + "@" + digest1,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("False", "BuildRunFailed"),
			v1alpha1.ConditionServingReady: ready("True", "KnativeServiceReady"),
			v1alpha1.ConditionReady:        ready("False", "BuildRunFailed"),
		},
	}, {
		name:  "a later build runs: serving stays on the last good digest",
		fn:    function(servedLastGood, rebuilt),
		build: v1alpha1.StateBuilding, revision: image + "@" + digest1, served: image + "@" + digest1,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("Unknown", "Building")},
	}, {
		name:  "a later build succeeds: serving rolls forward",
		fn:    function(servedLastGood, rebuilt),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest2) }),
		build: v1alpha1.StateSucceeded, revision: image + "@" + digest2, served: image + "@" + digest2,
	}, {
		name:  "no build: spec.image is served as is",
		fn:    function(noBuild),
		build: v1alpha1.StateSkipped, served: image,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("True", "NoBuild")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
		},
	}, {
		name:  "no serving: built is ready",
		fn:    function(noServing),
		objs:  objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) }),
		build: v1alpha1.StateSucceeded, serving: v1alpha1.StateSkipped, revision: image + "@" + digest1,
		want: map[string]string{
			v1alpha1.ConditionServingReady: ready("True", "NoServing"),
			v1alpha1.ConditionReady:        ready("True", "Ready"),
		},
	}, {
		name:  "no serving, building",
		fn:    function(noServing),
		build: v1alpha1.StateBuilding, serving: v1alpha1.StateSkipped,
		want: map[string]string{v1alpha1.ConditionServingReady: ready("True", "NoServing"), v1alpha1.ConditionReady: ready("Unknown", "Building")},
	}, {
		name: "an invalid spec: a condition naming the field, nothing made",
		fn:   function(func(f *v1alpha1.Function) { f.Spec.Build.SrcRepo.URL = "github.com/example/fns" }),
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("False", "InvalidSpec"),
			v1alpha1.ConditionServingReady: ready("False", "InvalidSpec"),
			v1alpha1.ConditionReady:        ready("False", "InvalidSpec"),
		},
		msgs: map[string]string{v1alpha1.ConditionReady: `spec.build.srcRepo.url: Invalid value: "github.com/example/fns": want a git URL`},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
		},
	}, {
		name: "a build env the strategy cannot carry",
		fn:   function(func(f *v1alpha1.Function) { f.Spec.Build.Env["A=B"] = "x" }),
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "InvalidBuild"), v1alpha1.ConditionReady: ready("False", "InvalidBuild")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: `spec.build.env: "A=B" is not a valid variable name`},
	}, {
		name: "serving Kiln cannot do yet",
		fn: function(noBuild, func(f *v1alpha1.Function) {
			f.Spec.Serving.Triggers = &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{Engine: ptrTo(v1alpha1.EngineKeda)}}
		}),
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "InvalidServing"), v1alpha1.ConditionReady: ready("False", "InvalidServing")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "the KEDA HTTP add-on) is not supported by Kiln yet"},
	}, {
		name: "Shipwright is not installed",
		fn:   function(),
		fail: []failure{{verb: "apply", kind: "Build", err: errNoMatch}},
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "APINotInstalled"), v1alpha1.ConditionReady: ready("False", "APINotInstalled")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "shipwright.io/v1beta1 Build hello-build: the cluster does not serve this API; install Shipwright Build (see the README's Kubernetes prerequisites): the controller picks it up without a restart"},
	}, {
		name: "BuildRuns are rejected",
		fn:   function(),
		fail: []failure{{verb: "create", kind: "BuildRun", err: apierrors.NewBadRequest("spec.build: unknown field")}},
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "Rejected")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "the API server rejected v1beta1.BuildRun " + runName(function()) + ": spec.build: unknown field"},
	}, {
		name:    "Knative is not installed",
		fn:      function(noBuild),
		fail:    []failure{{verb: "apply", kind: "Service", err: errNoMatch}},
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "APINotInstalled"), v1alpha1.ConditionReady: ready("False", "APINotInstalled")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "serving.knative.dev/v1 Service hello: the cluster does not serve this API; install Knative Serving"},
	}, {
		name: "sync→async bridge: a Knative Function with outputs gets the Dapr sidecar annotations and its Components",
		fn: function(noBuild, func(f *v1alpha1.Function) {
			f.Spec.Serving.Bindings = map[string]*v1alpha1.ComponentSpec{"out": {Type: "bindings.kafka", Version: "v1"}}
			f.Spec.Serving.Outputs = []*v1alpha1.Output{{Dapr: &v1alpha1.DaprOutput{DaprIO: v1alpha1.DaprIO{Name: "out"}, Operation: "create"}}}
		}),
		served: image,
		want:   map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "KnativeServiceNotReady")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var ks servingv1.Service
			mustControl(t, c, f, "hello", &ks)
			if a := ks.Spec.Template.Annotations; a["dapr.io/enabled"] != "true" || a["dapr.io/app-id"] != "hello-default" || a["dapr.io/app-protocol"] != "http" {
				t.Errorf("Knative Service template annotations: %v", a)
			}
			mustControl(t, c, f, "hello-out", &daprv1alpha1.Component{})
		},
	}, {
		name: "Dapr is not installed: a Knative Function with outputs names Dapr",
		fn: function(noBuild, func(f *v1alpha1.Function) {
			f.Spec.Serving.Bindings = map[string]*v1alpha1.ComponentSpec{"out": {Type: "bindings.kafka", Version: "v1"}}
			f.Spec.Serving.Outputs = []*v1alpha1.Output{{Dapr: &v1alpha1.DaprOutput{DaprIO: v1alpha1.DaprIO{Name: "out"}}}}
		}),
		fail:    []failure{{verb: "apply", kind: "Component", err: errNoMatch}},
		served:  image,
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "APINotInstalled")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "dapr.io/v1alpha1 Component hello-out: the cluster does not serve this API; install Dapr"},
	}, {
		name:    "Dapr is not installed: an async Function's Component names Dapr",
		fn:      function(async),
		fail:    []failure{{verb: "apply", kind: "Component", err: errNoMatch}},
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "APINotInstalled"), v1alpha1.ConditionReady: ready("False", "APINotInstalled")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "dapr.io/v1alpha1 Component hello-in: the cluster does not serve this API; install Dapr (see the README's Kubernetes prerequisites): the controller picks it up without a restart"},
	}, {
		name: "KEDA is not installed: an async Function with triggers names KEDA",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{Keda: &v1alpha1.KedaScaleOptions{Triggers: []v1alpha1.ScaleTrigger{{Type: "kafka"}}}}
		}),
		fail:    []failure{{verb: "apply", kind: "ScaledObject", err: errNoMatch}},
		serving: v1alpha1.StateFailed,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "APINotInstalled")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "keda.sh/v1alpha1 ScaledObject hello: the cluster does not serve this API; install KEDA"},
	}, {
		name: "admission rejects the Knative Service: the API server's message",
		fn:   function(noBuild),
		fail: []failure{{verb: "apply", kind: "Service", err: errInvalid}},
		want: map[string]string{v1alpha1.ConditionServingReady: ready("False", "Rejected"), v1alpha1.ConditionReady: ready("False", "Rejected")},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "the API server rejected v1.Service hello: Service.serving.knative.dev \"hello\" is invalid: spec.template.spec.containers[0].ports: Invalid value: 1: must be >= 1024 here"},
	}, {
		name:    "the API server fails applying: retried, not a condition",
		fn:      function(noBuild),
		fail:    []failure{{verb: "apply", kind: "Service", err: errInternal}},
		wantErr: "etcd is sad",
		want:    map[string]string{v1alpha1.ConditionServingReady: "<none>"},
	}, {
		name:    "the API server fails creating the BuildRun: retried",
		fn:      function(),
		fail:    []failure{{verb: "create", kind: "BuildRun", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name:    "the API server fails creating the build cache: retried",
		fn:      function(),
		fail:    []failure{{verb: "create", kind: "PersistentVolumeClaim", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name:    "the cache fails reading the BuildRun: retried",
		fn:      function(),
		objs:    objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) }),
		fail:    []failure{{verb: "get", kind: "BuildRun", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name:    "the cache fails listing stale children: retried",
		served:  image,
		fn:      function(noBuild),
		fail:    []failure{{verb: "list", kind: "Deployment", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name:   "an API not installed has no stale children",
		served: image,
		fn:     function(noBuild),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return knative(t, f, image, corev1.ConditionTrue, "", "", 1)
		}),
		fail: []failure{{verb: "list", kind: "ScaledObject", err: errNoMatch}},
		want: map[string]string{v1alpha1.ConditionReady: ready("True", "Ready")},
	}, {
		name:        "no Gateway config: a condition naming the ConfigMap",
		wantRequeue: gatewayRetry,
		fn:          function(withRoute),
		want: map[string]string{
			v1alpha1.ConditionServingReady: ready("False", "GatewayConfigNotFound"),
			v1alpha1.ConditionReady:        ready("False", "GatewayConfigNotFound"),
		},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "spec.serving.triggers.http.route.gatewayRef: no Gateway config ConfigMap kiln/kiln; apply controller/config/gateway"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello", &gatewayv1.HTTPRoute{})
		},
	}, {
		name:        "an invalid Gateway config: a condition naming the key",
		wantRequeue: gatewayRetry,
		fn:          function(withRoute),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return gatewayConfig(map[string]string{"gatewayName": "kiln-gateway"})
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("False", "GatewayConfigInvalid")},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "Gateway config ConfigMap kiln/kiln: data.domain is empty"},
	}, {
		name:    "reading the Gateway config fails: retried",
		fn:      function(withRoute),
		fail:    []failure{{verb: "get", kind: "ConfigMap", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name:   "a route through a Gateway config shared with every namespace: an HTTPRoute on the Gateway, the external URL",
		fn:     function(noBuild, withRoute),
		served: image,
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object { return gatewayConfig(sharedGateway("*")) },
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				ks := knative(t, f, image, corev1.ConditionTrue, "", "", 1)
				ks.Status.Traffic = []servingv1.TrafficTarget{{RevisionName: "hello-00001", Percent: ptrTo(int64(100))}}
				return ks
			}),
		// Ready once the Gateway accepts the route (no Gateway here).
		want: map[string]string{v1alpha1.ConditionReady: ready("Unknown", "RouteNotReady")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var route gatewayv1.HTTPRoute
			mustControl(t, c, f, "hello", &route)
			if route.Spec.ParentRefs[0].Name != "kiln-gateway" || string(route.Spec.Hostnames[0]) != "hello.default.fn.example.com" {
				t.Errorf("HTTPRoute %+v", route.Spec)
			}
			// The backend is the revision Knative sends the traffic to.
			if b := route.Spec.Rules[0].BackendRefs; len(b) != 1 || b[0].Name != "hello-00001" {
				t.Errorf("HTTPRoute backends %+v, want the revision of the Knative Service's traffic", b)
			}
			if f.Status.URL != "http://hello.default.fn.example.com/" || len(f.Status.Addresses) != 2 {
				t.Errorf("url %q addresses %+v", f.Status.URL, f.Status.Addresses)
			}
		},
	}, {
		name: "a Gateway config shared with this namespace by name",
		fn:   function(noBuild, withRoute),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return gatewayConfig(sharedGateway("team-a, default"))
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "KnativeServiceNotReady")}, served: image,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustControl(t, c, f, "hello", &gatewayv1.HTTPRoute{})
		},
	}, {
		name: "a Gateway config in the Function's own namespace needs no sharing",
		fn: function(noBuild, withRoute, func(f *v1alpha1.Function) {
			f.Spec.Serving.Triggers.HTTP.Route.GatewayRef = &v1alpha1.GatewayRef{Name: "mine", Namespace: ns}
		}),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			cm := gatewayConfig(validGateway)
			cm.Name, cm.Namespace = "mine", ns
			return cm
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "KnativeServiceNotReady")}, served: image,
	}, {
		name:        "a Gateway config in another namespace that does not share it: denied, nothing routed",
		fn:          function(noBuild, withRoute),
		objs:        objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return gatewayConfig(sharedGateway("team-a")) }),
		wantRequeue: gatewayRetry,
		want:        map[string]string{v1alpha1.ConditionServingReady: ready("False", "GatewayConfigDenied"), v1alpha1.ConditionReady: ready("False", "GatewayConfigDenied")},
		msgs:        map[string]string{v1alpha1.ConditionServingReady: `spec.serving.triggers.http.route.gatewayRef: Gateway config kiln/kiln is not shared with namespace default: its data.allowedNamespaces lists`},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello", &gatewayv1.HTTPRoute{})
		},
	}, {
		name:        "a Gateway config where the controller may not read ConfigMaps: denied",
		fn:          function(noBuild, withRoute),
		fail:        []failure{{verb: "get", kind: "ConfigMap", err: apierrors.NewForbidden(schema.GroupResource{Resource: "configmaps"}, "kiln", errors.New("RBAC"))}},
		wantRequeue: gatewayRetry,
		want:        map[string]string{v1alpha1.ConditionServingReady: ready("False", "GatewayConfigDenied")},
		msgs:        map[string]string{v1alpha1.ConditionServingReady: "the controller may not read ConfigMaps in namespace kiln: Gateway configs live where the platform binds the Role kiln-controller-gateway-config"},
	}, {
		name: "a privileged pod template: refused with the fields at fault",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.Template = &corev1.PodSpec{HostNetwork: true, Containers: []corev1.Container{{Name: "function", SecurityContext: &corev1.SecurityContext{Privileged: ptrTo(true)}}}}
		}),
		want: map[string]string{v1alpha1.ConditionReady: ready("False", "InvalidSpec")},
		msgs: map[string]string{v1alpha1.ConditionReady: "spec.serving.template.hostNetwork: Forbidden: sharing the node's Network namespace is not allowed in a Function's pod; a cluster admin allows it with the controller's --allow-privileged-templates, spec.serving.template.containers[0].securityContext.privileged: Forbidden"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello", &appsv1.Deployment{})
		},
	}, {
		name: "a privileged pod template where the cluster allows it",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.Template = &corev1.PodSpec{HostNetwork: true, ServiceAccountName: "agent"}
		}),
		cfg: func(r *FunctionReconciler) {
			r.Policy = v1alpha1.Policy{AllowPrivileged: true, AllowServiceAccounts: true}
		},
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "DeploymentUnavailable")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var d appsv1.Deployment
			mustControl(t, c, f, "hello", &d)
			if !d.Spec.Template.Spec.HostNetwork || d.Spec.Template.Spec.ServiceAccountName != "agent" {
				t.Errorf("pod %+v", d.Spec.Template.Spec)
			}
		},
	}, {
		name:    "the controller may not write in this namespace: a condition saying which ClusterRole to bind, retried",
		fn:      function(async),
		fail:    []failure{{verb: "apply", kind: "Deployment", err: apierrors.NewForbidden(schema.GroupResource{Group: "apps", Resource: "deployments"}, "hello", errors.New("RBAC: no binding"))}},
		wantErr: "forbidden",
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("False", "Forbidden"), v1alpha1.ConditionReady: ready("False", "Forbidden")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: `the API server refused v1.Deployment hello: deployments.apps "hello" is forbidden: RBAC: no binding; the controller writes in a namespace where the ClusterRole kiln-controller-children is bound to it`},
	}, {
		name:        "the status update conflicts: a quiet retry",
		served:      image,
		fn:          function(noBuild),
		fail:        []failure{{verb: "status", kind: "Function", err: errConflict}},
		wantRequeue: conflictRetry,
		want:        map[string]string{v1alpha1.ConditionReady: "<none>"},
	}, {
		name:        "adding the finalizer conflicts: a quiet retry, nothing made",
		fn:          function(func(f *v1alpha1.Function) { f.Finalizers = nil }),
		fail:        []failure{{verb: "update", kind: "Function", err: errConflict}},
		wantRequeue: conflictRetry,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
		},
	}, {
		name:    "the status update fails: retried",
		served:  image,
		fn:      function(noBuild),
		fail:    []failure{{verb: "status", kind: "Function", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name: "sync to async: the Knative Service goes, a Deployment and its Component come",
		fn:   function(async),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return knative(t, function(noBuild), image, corev1.ConditionTrue, "", "", 1)
		}),
		serving: v1alpha1.StateStarting,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "DeploymentUnavailable")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "waiting for Deployment hello to have an available replica"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello", &servingv1.Service{})
			mustControl(t, c, f, "hello", &appsv1.Deployment{})
			mustControl(t, c, f, "hello-in", &daprv1alpha1.Component{})
			if img := functionImage(t, c, &appsv1.Deployment{}); img != image {
				t.Errorf("Deployment runs %q", img)
			}
		},
	}, {
		name:    "an available Deployment",
		fn:      function(async),
		objs:    objs(func(t *testing.T, f *v1alpha1.Function) client.Object { return deployment(t, f, 1) }),
		serving: v1alpha1.StateRunning,
		want:    map[string]string{v1alpha1.ConditionServingReady: ready("True", "DeploymentAvailable"), v1alpha1.ConditionReady: ready("True", "Ready")},
		msgs:    map[string]string{v1alpha1.ConditionServingReady: "Deployment hello: 1 available"},
	}, {
		name: "minReplicas 0: the Deployment still asks for one replica (the controller applies replicas), not ready without it",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{MinReplicas: ptrTo(int32(0))}
		}),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			d := deployment(t, f, 0)
			d.Spec.Replicas = ptrTo(int32(0))
			return d
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "DeploymentUnavailable")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var d appsv1.Deployment
			mustControl(t, c, f, "hello", &d)
			if *d.Spec.Replicas != 1 {
				t.Errorf("replicas %d", *d.Spec.Replicas)
			}
		},
	}, {
		name: "a StatefulSet waits for a ready replica",
		fn:   function(async, func(f *v1alpha1.Function) { f.Spec.Serving.WorkloadType = v1alpha1.WorkloadStatefulSet }),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("Unknown", "StatefulSetNotReady")},
	}, {
		name: "a ready StatefulSet",
		fn:   function(async, func(f *v1alpha1.Function) { f.Spec.Serving.WorkloadType = v1alpha1.WorkloadStatefulSet }),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			s := serving(t, f, image).(*appsv1.StatefulSet)
			s.Status.ReadyReplicas = 2
			return s
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("True", "StatefulSetReady"), v1alpha1.ConditionReady: ready("True", "Ready")},
		msgs: map[string]string{v1alpha1.ConditionServingReady: "StatefulSet hello: 2 ready"},
	}, {
		name: "a ScaledJob is ready once made: KEDA starts Jobs",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.WorkloadType = v1alpha1.WorkloadJob
			f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{Keda: &v1alpha1.KedaScaleOptions{
				ScaledJob: &v1alpha1.KedaScaledJob{}, Triggers: []v1alpha1.ScaleTrigger{{Type: "cron", Metadata: map[string]string{"timezone": "UTC"}}}}}
		}),
		want: map[string]string{v1alpha1.ConditionServingReady: ready("True", "ScaledJobCreated"), v1alpha1.ConditionReady: ready("True", "Ready")},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustControl(t, c, f, "hello", &kedav1alpha1.ScaledJob{})
		},
	}, {
		name: "KEDA triggers removed: the ScaledObject goes, one the user labelled stays",
		fn:   function(async),
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object { return scaledObject(f, "hello", true) },
			func(t *testing.T, f *v1alpha1.Function) client.Object { return scaledObject(f, "users-own", false) }),
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello", &kedav1alpha1.ScaledObject{})
			if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "users-own"}, &kedav1alpha1.ScaledObject{}); err != nil {
				t.Errorf("the user's ScaledObject: %v", err)
			}
		},
	}, {
		name: "async to sync without a route: every async child and the old route go, the user's labelled one stays",
		fn:   function(noBuild),
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return owner(f, labelled(&appsv1.Deployment{}, "hello"))
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return owner(f, labelled(&appsv1.StatefulSet{}, "hello"))
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object { return scaledObject(f, "hello", true) },
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return owner(f, labelled(&kedav1alpha1.ScaledJob{}, "hello"))
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return owner(f, labelled(&daprv1alpha1.Component{}, "hello-in"))
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return owner(f, labelled(&gatewayv1.HTTPRoute{}, "hello"))
			},
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return labelled(&appsv1.Deployment{}, "users-own")
			}),
		served: image,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			for _, o := range []client.Object{&appsv1.Deployment{}, &appsv1.StatefulSet{}, &kedav1alpha1.ScaledObject{}, &kedav1alpha1.ScaledJob{}, &gatewayv1.HTTPRoute{}} {
				mustBeGone(t, c, "hello", o)
			}
			mustBeGone(t, c, "hello-in", &daprv1alpha1.Component{})
			if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: "users-own"}, &appsv1.Deployment{}); err != nil {
				t.Errorf("the user's Deployment carrying the function label: %v", err)
			}
		},
	}, {
		name: "KEDA triggers on a Deployment: a ScaledObject targets it",
		fn: function(async, func(f *v1alpha1.Function) {
			f.Spec.Serving.ScaleOptions = &v1alpha1.ScaleOptions{MaxReplicas: ptrTo(int32(5)), Keda: &v1alpha1.KedaScaleOptions{
				Triggers: []v1alpha1.ScaleTrigger{{Type: "kafka", Metadata: map[string]string{"topic": "logs"}}}}}
		}),
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var so kedav1alpha1.ScaledObject
			mustControl(t, c, f, "hello", &so)
			if so.Spec.ScaleTargetRef.Name != "hello" || so.Spec.ScaleTargetRef.Kind != "Deployment" || *so.Spec.MaxReplicaCount != 5 {
				t.Errorf("ScaledObject %+v", so.Spec)
			}
		},
	}, {
		name: "builder credentials: the build runs as a ServiceAccount that can pull the builder",
		fn: function(func(f *v1alpha1.Function) {
			f.Spec.Build.BuilderCredentials = &corev1.LocalObjectReference{Name: "builder-pull"}
		}),
		build: v1alpha1.StateBuilding,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var sa corev1.ServiceAccount
			mustControl(t, c, f, "hello-build", &sa)
			var br shp.BuildRun
			mustControl(t, c, f, runName(f), &br)
			if len(sa.ImagePullSecrets) != 1 || sa.ImagePullSecrets[0].Name != "builder-pull" || br.Spec.ServiceAccount == nil || *br.Spec.ServiceAccount != "hello-build" {
				t.Errorf("ServiceAccount %+v, BuildRun serviceAccount %v", sa.ImagePullSecrets, br.Spec.ServiceAccount)
			}
		},
	}, {
		name: "the build ServiceAccount is rejected",
		fn: function(func(f *v1alpha1.Function) {
			f.Spec.Build.BuilderCredentials = &corev1.LocalObjectReference{Name: "builder-pull"}
		}),
		fail: []failure{{verb: "apply", kind: "ServiceAccount", err: apierrors.NewBadRequest("no")}},
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "Rejected")},
	}}
}

func TestReconcile(t *testing.T) {
	for _, tc := range rows() {
		t.Run(tc.name, func(t *testing.T) { runRow(t, tc) })
	}
}

// runRow runs one Reconcile of tc.fn among tc.objs and checks what it left.
func runRow(t *testing.T, tc row) {
	t.Helper()
	var objs []client.Object
	if tc.objs != nil {
		objs = tc.objs(t, tc.fn)
	}
	c, reader, rec := newClient(t, tc.fail, append(objs, tc.fn.DeepCopy())...)
	r := reconciler(c, reader)
	if tc.cfg != nil {
		tc.cfg(r)
	}
	res, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(tc.fn)})
	rec.stop()
	if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
		t.Fatalf("Reconcile: %v, want error %q", err, tc.wantErr)
	}
	if res.RequeueAfter != tc.wantRequeue {
		t.Errorf("RequeueAfter %v, want %v", res.RequeueAfter, tc.wantRequeue)
	}
	var f v1alpha1.Function
	if err := c.Get(ctx(), client.ObjectKeyFromObject(tc.fn), &f); err != nil {
		t.Fatal(err)
	}
	assertStatus(t, tc, &f)
	if got := functionImage(t, c, &servingv1.Service{}); got != tc.served {
		t.Errorf("the Knative Service runs %q, want %q", got, tc.served)
	}
	if tc.check != nil {
		tc.check(t, c, &f)
	}
}

func assertStatus(t *testing.T, tc row, f *v1alpha1.Function) {
	t.Helper()
	st := &f.Status
	for typ, want := range tc.want {
		got := "<none>"
		if c := st.GetCondition(typ); c != nil {
			got = string(c.Status) + " " + c.Reason
		}
		if got != want {
			t.Errorf("%s: %s, want %s (conditions %+v)", typ, got, want, st.Conditions)
		}
	}
	for typ, want := range tc.msgs {
		if c := st.GetCondition(typ); c == nil || !strings.Contains(c.Message, want) {
			t.Errorf("%s message: %+v, want it to contain %q", typ, c, want)
		}
	}
	if tc.build != "" && (st.Build == nil || st.Build.State != tc.build) {
		t.Errorf("status.build %+v, want state %s", st.Build, tc.build)
	}
	if tc.serving != "" && (st.Serving == nil || st.Serving.State != tc.serving) {
		t.Errorf("status.serving %+v, want state %s", st.Serving, tc.serving)
	}
	rev := ""
	if st.Revision != nil {
		rev = st.Revision.ImageDigest
	}
	if rev != tc.revision {
		t.Errorf("status.revision.imageDigest %q, want %q", rev, tc.revision)
	}
}

func objs(makers ...func(t *testing.T, f *v1alpha1.Function) client.Object) func(t *testing.T, f *v1alpha1.Function) []client.Object {
	return func(t *testing.T, f *v1alpha1.Function) []client.Object {
		var out []client.Object
		for _, m := range makers {
			out = append(out, m(t, f))
		}
		return out
	}
}

// mustControl gets name into o and checks f controls it.
func mustControl(t *testing.T, c client.Client, f *v1alpha1.Function, name string, o client.Object) {
	t.Helper()
	if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, o); err != nil {
		t.Fatalf("%T %s: %v", o, name, err)
	}
	if !metav1.IsControlledBy(o, f) {
		t.Errorf("%T %s is not controlled by the Function: %v", o, name, o.GetOwnerReferences())
	}
}

func mustBeGone(t *testing.T, c client.Client, name string, o client.Object) {
	t.Helper()
	if err := c.Get(ctx(), client.ObjectKey{Namespace: ns, Name: name}, o); !apierrors.IsNotFound(err) {
		t.Errorf("%T %s: %v, want it gone", o, name, err)
	}
}

func hasFinalizer(f *v1alpha1.Function) bool {
	for _, s := range f.Finalizers {
		if s == Finalizer {
			return true
		}
	}
	return false
}

func typeName(o client.Object) string {
	return strings.SplitN(kindName(o), "/", 2)[0]
}

func ptrTo[T any](v T) *T { return &v }

// crashingPod is a pod of Knative revision rev whose container has exited
// with code 2 and restarted three times.
func crashingPod(name, rev, container string) *corev1.Pod {
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", Labels: map[string]string{"serving.knative.dev/revision": rev}},
		Status: corev1.PodStatus{ContainerStatuses: []corev1.ContainerStatus{{Name: container, RestartCount: 3,
			State: corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: "CrashLoopBackOff"}},
			LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: 2,
				Message: "\x1b[31mpanic: kiln e2e: crash on start\x1b[0m\n\ngoroutine 1 [running]:\nmain.init()\n\nexit status 2\n"}}}}}}
}
