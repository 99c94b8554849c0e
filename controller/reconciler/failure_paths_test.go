package reconciler

import (
	"errors"
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
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
	}, {
		name:  "Kiln's strategy is not installed: no Build, a condition saying how to install it, looked at again",
		fn:    function(),
		fail:  []failure{{verb: "get", kind: "ClusterBuildStrategy", err: errNotFound("clusterbuildstrategies", "kiln")}},
		build: v1alpha1.StateFailed, wantRequeue: strategyRetry,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuildStrategyNotFound"), v1alpha1.ConditionReady: ready("False", "BuildStrategyNotFound")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "spec.build.shipwright.strategy: ClusterBuildStrategy kiln is not installed: apply Kiln's (kubectl apply -k controller/config/strategy) or name the cluster's (kubectl get clusterbuildstrategies)"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
			mustBeGone(t, c, "hello-build-cache", &corev1.PersistentVolumeClaim{})
		},
	}, {
		name:  "a namespace's BuildStrategy that is missing is named with its namespace",
		fn:    function(withStrategy(v1alpha1.BuildStrategyKind, "buildah")),
		build: v1alpha1.StateFailed, wantRequeue: strategyRetry,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuildStrategyNotFound")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "BuildStrategy buildah in namespace default is not installed: apply Kiln's (kubectl apply -k controller/config/strategy) or name one of namespace default's (kubectl get buildstrategies -n default)"},
	}, {
		name: "a Dockerfile BuildStrategy: Kiln's parameters are not passed to it",
		fn:   function(withStrategy(v1alpha1.BuildStrategyKind, "buildah"), func(f *v1alpha1.Function) { f.Spec.Build.Env = nil }),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return &shp.BuildStrategy{ObjectMeta: metav1.ObjectMeta{Name: "buildah", Namespace: ns},
				Spec: shp.BuildStrategySpec{Parameters: []shp.Parameter{{Name: "dockerfile"}}}}
		}),
		build: v1alpha1.StateBuilding,
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			var b shp.Build
			mustControl(t, c, f, "hello-build", &b)
			if len(b.Spec.ParamValues) != 0 || b.Spec.Strategy.Name != "buildah" || *b.Spec.Strategy.Kind != shp.NamespacedBuildStrategyKind {
				t.Errorf("Build strategy %+v params %+v, want buildah and none", b.Spec.Strategy, b.Spec.ParamValues)
			}
		},
	}, {
		name: "spec.build.env for a strategy without ENV_VARS: no Build, the field named",
		fn:   function(withStrategy(v1alpha1.ClusterBuildStrategyKind, "buildah")),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return &shp.ClusterBuildStrategy{ObjectMeta: metav1.ObjectMeta{Name: "buildah"},
				Spec: shp.BuildStrategySpec{Parameters: []shp.Parameter{{Name: "dockerfile"}}}}
		}),
		build: v1alpha1.StateFailed,
		want:  map[string]string{v1alpha1.ConditionBuilt: ready("False", "UndeclaredParameter")},
		msgs:  map[string]string{v1alpha1.ConditionBuilt: "spec.build.env: ClusterBuildStrategy buildah declares no parameter ENV_VARS (it declares: dockerfile)"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			mustBeGone(t, c, "hello-build", &shp.Build{})
		},
	}, {
		name: "a parameter Kiln's strategy does not declare",
		fn: function(func(f *v1alpha1.Function) {
			f.Spec.Build.Shipwright = &v1alpha1.ShipwrightEngine{Params: []*v1alpha1.ParamValue{{Name: "RUN_IMAGE", Value: ptrTo("r")}, {Name: "CACHE", Value: ptrTo("x")}}}
		}),
		build: v1alpha1.StateFailed,
		want:  map[string]string{v1alpha1.ConditionBuilt: ready("False", "UndeclaredParameter")},
		msgs:  map[string]string{v1alpha1.ConditionBuilt: "spec.build.shipwright.params[1]: ClusterBuildStrategy kiln declares no parameter CACHE (it declares: ENV_VARS, KILN_BUILDER_IMAGE, PROCESS_TYPE, RUN_IMAGE)"},
	}, {
		name:        "Shipwright's strategy API is not installed",
		fn:          function(),
		fail:        []failure{{verb: "get", kind: "ClusterBuildStrategy", err: &meta.NoKindMatchError{GroupKind: schema.GroupKind{Group: "shipwright.io", Kind: "ClusterBuildStrategy"}, SearchedVersions: []string{"v1beta1"}}}},
		wantRequeue: strategyRetry,
		want:        map[string]string{v1alpha1.ConditionBuilt: ready("False", "APINotInstalled")},
		msgs:        map[string]string{v1alpha1.ConditionBuilt: "shipwright.io/v1beta1 ClusterBuildStrategy kiln: the cluster does not serve this API; install Shipwright Build"},
	}, {
		name:    "the strategy may not be read: Forbidden, retried",
		fn:      function(),
		fail:    []failure{{verb: "get", kind: "ClusterBuildStrategy", err: apierrors.NewForbidden(schema.GroupResource{Group: "shipwright.io", Resource: "clusterbuildstrategies"}, "kiln", errors.New("RBAC"))}},
		wantErr: "forbidden",
		want:    map[string]string{v1alpha1.ConditionBuilt: ready("False", "Forbidden")},
	}, {
		name:    "reading the strategy fails: retried",
		fn:      function(),
		fail:    []failure{{verb: "get", kind: "ClusterBuildStrategy", err: errInternal}},
		wantErr: "etcd is sad",
	}, {
		name: "a compile error: the condition carries the compiler's line the strategy reported",
		fn:   function(),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			br := buildRun(f, corev1.ConditionFalse, "Failed", "buildrun step step-build-and-push failed, for detailed information: kubectl --namespace default logs hello-build-x-pod --container=step-build-and-push", "")
			br.Status.FailureDetails = &shp.FailureDetails{Reason: "BuildFailed", Message: "./hello.go:12:2: undefined: fmt.Printx\nERROR: failed to build: exit status 1",
				Location: &shp.Location{Pod: "hello-build-x-pod", Container: "step-build-and-push"}}
			return br
		}),
		build: v1alpha1.StateFailed, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuildRunFailed"), v1alpha1.ConditionReady: ready("False", "BuildRunFailed")},
		msgs: map[string]string{v1alpha1.ConditionReady: "BuildRun " + runName(function()) + " failed: ./hello.go:12:2: undefined: fmt.Printx\nERROR: failed to build: exit status 1 (Failed: buildrun step step-build-and-push failed, for detailed information: kubectl --namespace default logs"},
		check: func(t *testing.T, c client.Client, f *v1alpha1.Function) {
			if f.Status.Build.Message != "./hello.go:12:2: undefined: fmt.Printx\nERROR: failed to build: exit status 1" {
				t.Errorf("status.build.message %q", f.Status.Build.Message)
			}
		},
	}, {
		name: "the repository cannot be cloned: the URL and revision named with the git step's reason",
		fn:   function(func(f *v1alpha1.Function) { f.Spec.Build.SrcRepo.Revision = ptrTo("v1") }),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			br := buildRun(f, corev1.ConditionFalse, "Failed", "buildrun step step-source-default failed, for detailed information: kubectl --namespace default logs hello-build-x-pod --container=step-source-default", "")
			br.Status.FailureDetails = &shp.FailureDetails{Reason: "GitRemoteRepositoryNotFound", Message: "The source repository does not exist, or you have insufficient permission to access it.",
				Location: &shp.Location{Pod: "hello-build-x-pod", Container: "step-source-default"}}
			return br
		}),
		build: v1alpha1.StateFailed, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "SourceFetchFailed"), v1alpha1.ConditionReady: ready("False", "SourceFetchFailed")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "BuildRun " + runName(function(func(f *v1alpha1.Function) { f.Spec.Build.SrcRepo.Revision = ptrTo("v1") })) +
			" could not fetch the source https://github.com/example/fns.git at v1: GitRemoteRepositoryNotFound: The source repository does not exist, or you have insufficient permission to access it."},
	}, {
		name: "a bundle that cannot be pulled: the source step's failure without a reason",
		fn: function(func(f *v1alpha1.Function) {
			f.Spec.Build.SrcRepo = &v1alpha1.GitRepo{BundleContainer: &v1alpha1.BundleContainer{Image: "reg.example/fn-source@sha256:1"}}
		}),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			br := buildRun(f, corev1.ConditionFalse, "Failed", "buildrun step step-source-default failed", "")
			br.Status.FailureDetails = &shp.FailureDetails{Location: &shp.Location{Pod: "p", Container: "step-source-default"}}
			return br
		}),
		build: v1alpha1.StateFailed, serving: v1alpha1.StatePending,
		want: map[string]string{v1alpha1.ConditionBuilt: ready("False", "SourceFetchFailed")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "could not fetch the source reg.example/fn-source@sha256:1: buildrun step step-source-default failed"},
	}, {
		name: "the builder image cannot be pulled: the builder named, and where to fix it",
		fn:   function(func(f *v1alpha1.Function) { f.Spec.Build.Language = "python" }),
		objs: objs(func(t *testing.T, f *v1alpha1.Function) client.Object {
			return buildRun(f, corev1.ConditionFalse, "TaskRunImagePullFailed",
				`the step "build-and-push" in TaskRun "hello-build-x" failed to pull the image "". The pod errored with the message: "Back-off pulling image \"registry.example.com/kiln/builder-python:latest\"."`, "")
		}),
		build: v1alpha1.StateFailed,
		want:  map[string]string{v1alpha1.ConditionBuilt: ready("False", "BuilderImagePullFailed"), v1alpha1.ConditionReady: ready("False", "BuilderImagePullFailed")},
		msgs: map[string]string{v1alpha1.ConditionBuilt: "could not pull an image of its build pod (the builder is registry.example.com/kiln/builder-python:latest): the step \"build-and-push\"",
			v1alpha1.ConditionReady: "or set spec.build.builder or the controller's --builder LANGUAGE=IMAGE"},
	}, {
		name: "the revision fails after a good build: Knative's reason and message, the digest kept",
		fn:   function(),
		objs: objs(
			func(t *testing.T, f *v1alpha1.Function) client.Object { return succeeded(f, digest1) },
			func(t *testing.T, f *v1alpha1.Function) client.Object {
				return knative(t, f, image+"@"+digest1, corev1.ConditionFalse, "RevisionFailed",
					`Revision "hello-00001" failed with message: Container failed with: panic: boom.`, 1)
			}),
		build: v1alpha1.StateSucceeded, serving: v1alpha1.StateFailed, revision: image + "@" + digest1, served: image + "@" + digest1,
		want: map[string]string{
			v1alpha1.ConditionBuilt:        ready("True", "BuildRunSucceeded"),
			v1alpha1.ConditionServingReady: ready("False", "RevisionFailed"),
			v1alpha1.ConditionReady:        ready("False", "RevisionFailed"),
		},
		msgs: map[string]string{v1alpha1.ConditionReady: `Knative Service hello: Revision "hello-00001" failed with message: Container failed with: panic: boom.`},
	}}
}

func withStrategy(kind, name string) func(*v1alpha1.Function) {
	return func(f *v1alpha1.Function) {
		f.Spec.Build.Shipwright = &v1alpha1.ShipwrightEngine{Strategy: &v1alpha1.Strategy{Name: name, Kind: &kind}}
	}
}

func errNotFound(resource, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Group: "shipwright.io", Resource: resource}, name)
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
