package reconciler

import (
	"errors"
	"strings"
	"testing"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// children is everything the controller made for f (a sync Function with a
// build and builder credentials that was also async once).
func children(t *testing.T, f *v1alpha1.Function) []client.Object {
	d := defaulted(f)
	build, pvc, err := render.Build(d, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "hello-build", Namespace: ns, Labels: map[string]string{render.LabelFunction: "hello"}}}
	comp := labelled(&daprv1alpha1.Component{}, "hello-in")
	dep := labelled(&appsv1.Deployment{}, "hello")
	out := []client.Object{build, pvc, sa, comp, dep, succeeded(f, digest1), knative(t, f, image+"@"+digest1, corev1.ConditionTrue, "", "", 1)}
	for _, o := range out {
		owner(f, o)
	}
	return out
}

func deleting(f *v1alpha1.Function) {
	now := metav1.Now()
	f.DeletionTimestamp = &now
}

func TestDeletion(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fn      *v1alpha1.Function
		fail    []failure
		wantErr string
		// gone: the Function and its children were deleted.
		gone bool
		// survivor is a child the fake API server said was gone already.
		survivor string
	}{
		{name: "the finalizer deletes every child, then lets the Function go", fn: function(deleting), gone: true},
		{name: "another finalizer holds the Function: the children go, ours is removed",
			fn: function(deleting, func(f *v1alpha1.Function) { f.Finalizers = append(f.Finalizers, "example.com/other") }), gone: true},
		{name: "an API that is not installed has nothing to delete", fn: function(deleting),
			fail: []failure{{verb: "list", kind: "ScaledJob", err: errNoMatch}}, gone: true},
		{name: "a child deleted meanwhile", fn: function(deleting),
			fail: []failure{{verb: "delete", kind: "Deployment", err: apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, "hello")}},
			gone: true, survivor: "*v1.Deployment/hello"},
		{name: "a child replaced meanwhile by an object that is not ours", fn: function(deleting),
			fail: []failure{{verb: "delete", kind: "Component", err: apierrors.NewConflict(schema.GroupResource{Group: "dapr.io", Resource: "components"}, "hello-in", errors.New("Precondition failed: UID in precondition"))}},
			gone: true, survivor: "*v1alpha1.Component/hello-in"},
		{name: "deleting fails: retried, the finalizer stays", fn: function(deleting),
			fail: []failure{{verb: "delete", kind: "BuildRun", err: errInternal}}, wantErr: "etcd is sad"},
		{name: "listing fails: retried, the finalizer stays", fn: function(deleting),
			fail: []failure{{verb: "list", kind: "Build", err: errInternal}}, wantErr: "etcd is sad"},
		{name: "reading the build cache fails: retried, the finalizer stays", fn: function(deleting),
			fail: []failure{{verb: "get", kind: "PersistentVolumeClaim", err: errInternal}}, wantErr: "etcd is sad"},
		{name: "deleting the build ServiceAccount fails: retried, the finalizer stays", fn: function(deleting),
			fail: []failure{{verb: "delete", kind: "ServiceAccount", err: errInternal}}, wantErr: "etcd is sad"},
		{name: "removing the finalizer conflicts: a quiet retry", fn: function(deleting),
			fail: []failure{{verb: "update", kind: "Function", err: errConflict}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kids := children(t, tc.fn)
			c, reader, rec := newClient(t, tc.fail, append(kids, tc.fn.DeepCopy())...)
			r := reconciler(c, reader)
			_, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(tc.fn)})
			rec.stop()
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("Reconcile: %v, want error %q", err, tc.wantErr)
			}
			var f v1alpha1.Function
			err = c.Get(ctx(), client.ObjectKeyFromObject(tc.fn), &f)
			switch {
			case tc.gone && len(tc.fn.Finalizers) == 1 && !apierrors.IsNotFound(err):
				t.Errorf("the Function is still there: %v %v", err, f.Finalizers)
			case tc.gone && len(tc.fn.Finalizers) > 1 && (err != nil || hasFinalizer(&f)):
				t.Errorf("the Function with another finalizer: %v, finalizers %v", err, f.Finalizers)
			case !tc.gone && (err != nil || !hasFinalizer(&f)):
				t.Errorf("the Function must keep its finalizer: %v %v", err, f.Finalizers)
			}
			if !tc.gone {
				return
			}
			for _, k := range kids {
				if kindName(k) == tc.survivor {
					continue
				}
				if err := c.Get(ctx(), client.ObjectKeyFromObject(k), k.DeepCopyObject().(client.Object)); !apierrors.IsNotFound(err) {
					t.Errorf("%T %s left behind: %v", k, k.GetName(), err)
				}
			}
		})
	}
}

// TestDeletionSparesWhatItDoesNotControl: cleanup goes by owner reference;
// objects a user made carrying the function's label, or named like its
// children, survive the Function.
func TestDeletionSparesWhatItDoesNotControl(t *testing.T) {
	f := function(deleting)
	users := []client.Object{
		labelled(&appsv1.Deployment{}, "users-own"),
		labelled(&shp.BuildRun{}, "hello-build-users"),
		labelled(&corev1.PersistentVolumeClaim{}, "hello-build-cache"),
		labelled(&corev1.ServiceAccount{}, "hello-build"),
		owner(function(func(f *v1alpha1.Function) { f.UID = "uid-another" }), labelled(&servingv1.Service{}, "hello")),
	}
	c, reader, rec := newClient(t, nil, append(users, f.DeepCopy())...)
	r := reconciler(c, reader)
	if _, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(f)}); err != nil {
		t.Fatal(err)
	}
	rec.stop()
	if err := c.Get(ctx(), client.ObjectKeyFromObject(f), &v1alpha1.Function{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Function: %v", err)
	}
	for _, u := range users {
		if err := c.Get(ctx(), client.ObjectKeyFromObject(u), u.DeepCopyObject().(client.Object)); err != nil {
			t.Errorf("%s, not the Function's, was deleted: %v", kindName(u), err)
		}
	}
}

// TestDeletionWithoutOurFinalizer: a Function the controller never
// finalized is left to the garbage collector.
func TestDeletionWithoutOurFinalizer(t *testing.T) {
	f := function(deleting, func(f *v1alpha1.Function) { f.Finalizers = []string{"example.com/other"} })
	kids := children(t, f)
	c, reader, rec := newClient(t, nil, append(kids, f.DeepCopy())...)
	r := reconciler(c, reader)
	if _, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(f)}); err != nil {
		t.Fatal(err)
	}
	rec.stop()
	for _, k := range kids {
		if err := c.Get(ctx(), client.ObjectKeyFromObject(k), k.DeepCopyObject().(client.Object)); err != nil {
			t.Errorf("%T %s: %v", k, k.GetName(), err)
		}
	}
}

func TestFunctionGone(t *testing.T) {
	c, reader, _ := newClient(t, nil)
	r := reconciler(c, reader)
	res, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: "hello"}})
	if err != nil || res != (ctrl.Result{}) {
		t.Fatalf("a deleted Function: %v %v", res, err)
	}
	c, reader, _ = newClient(t, []failure{{verb: "get", kind: "Function", err: errInternal}})
	r = reconciler(c, reader)
	if _, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: "hello"}}); err == nil {
		t.Fatal("a failed read must be retried")
	}
}
