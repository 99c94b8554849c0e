package reconciler

import (
	"strings"
	"testing"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
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
	}{
		{name: "the finalizer deletes every child, then lets the Function go", fn: function(deleting), gone: true},
		{name: "another finalizer holds the Function: the children go, ours is removed",
			fn: function(deleting, func(f *v1alpha1.Function) { f.Finalizers = append(f.Finalizers, "example.com/other") }), gone: true},
		{name: "an API that is not installed has nothing to delete", fn: function(deleting),
			fail: []failure{{verb: "deletecollection", kind: "ScaledJob", err: errNoMatch}}, gone: true},
		{name: "deleting fails: retried, the finalizer stays", fn: function(deleting),
			fail: []failure{{verb: "deletecollection", kind: "BuildRun", err: errInternal}}, wantErr: "etcd is sad"},
		{name: "removing the finalizer conflicts: a quiet retry", fn: function(deleting),
			fail: []failure{{verb: "update", kind: "Function", err: errConflict}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			kids := children(t, tc.fn)
			c, rec := newClient(t, tc.fail, append(kids, tc.fn.DeepCopy())...)
			r := &FunctionReconciler{Client: c, Config: testConfig()}
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
				if err := c.Get(ctx(), client.ObjectKeyFromObject(k), k.DeepCopyObject().(client.Object)); !apierrors.IsNotFound(err) {
					t.Errorf("%T %s left behind: %v", k, k.GetName(), err)
				}
			}
		})
	}
}

// TestDeletionWithoutOurFinalizer: a Function the controller never
// finalized is left to the garbage collector.
func TestDeletionWithoutOurFinalizer(t *testing.T) {
	f := function(deleting, func(f *v1alpha1.Function) { f.Finalizers = []string{"example.com/other"} })
	kids := children(t, f)
	c, rec := newClient(t, nil, append(kids, f.DeepCopy())...)
	r := &FunctionReconciler{Client: c, Config: testConfig()}
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
	c, _ := newClient(t, nil)
	r := &FunctionReconciler{Client: c, Config: testConfig()}
	res, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: "hello"}})
	if err != nil || res != (ctrl.Result{}) {
		t.Fatalf("a deleted Function: %v %v", res, err)
	}
	c, _ = newClient(t, []failure{{verb: "get", kind: "Function", err: errInternal}})
	r = &FunctionReconciler{Client: c, Config: testConfig()}
	if _, err := r.Reconcile(ctx(), ctrl.Request{NamespacedName: client.ObjectKey{Namespace: ns, Name: "hello"}}); err == nil {
		t.Fatal("a failed read must be retried")
	}
}
