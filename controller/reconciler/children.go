package reconciler

import (
	"context"
	"fmt"
	"strings"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// servingKinds are the kinds of serving object a Function can own: stale
// ones (spec changed from sync to async, a component removed) are deleted.
func servingKinds() []client.Object {
	return []client.Object{&servingv1.Service{}, &appsv1.Deployment{}, &appsv1.StatefulSet{},
		&kedav1alpha1.ScaledObject{}, &kedav1alpha1.ScaledJob{}, &daprv1alpha1.Component{}, &gatewayv1.HTTPRoute{}}
}

// ownedKinds are the kinds the controller watches besides Functions: a
// change to one brings its Function back.
func ownedKinds() []client.Object {
	return append([]client.Object{&shp.BuildRun{}, &shp.Build{}}, servingKinds()...)
}

// apply server-side-applies o, owned by f, and reads the API server's answer
// (the object as stored, with its status) back into o.
func (r *FunctionReconciler) apply(ctx context.Context, f *v1alpha1.Function, o client.Object) error {
	if err := controllerutil.SetControllerReference(f, o, r.Scheme()); err != nil {
		return err
	}
	o.SetManagedFields(nil)
	o.SetResourceVersion("")
	u, err := render.Unstructured(o)
	if err != nil {
		return err
	}
	if err := r.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
		return err
	}
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, o)
}

// createOnce creates o (owned by f) unless it exists: PVC specs and
// BuildRuns are immutable. created says whether this call made it (and o is
// then the API server's answer).
func (r *FunctionReconciler) createOnce(ctx context.Context, f *v1alpha1.Function, o client.Object) (created bool, err error) {
	if err := controllerutil.SetControllerReference(f, o, r.Scheme()); err != nil {
		return false, err
	}
	if err := r.Create(ctx, o); err != nil {
		if apierrors.IsAlreadyExists(err) {
			return false, nil
		}
		return false, err
	}
	return true, nil
}

// listOf is an empty list of kind's type, from the scheme.
func (r *FunctionReconciler) listOf(kind client.Object) (client.ObjectList, error) {
	gvk, err := apiutil.GVKForObject(kind, r.Scheme())
	if err != nil {
		return nil, err
	}
	gvk.Kind += "List"
	o, err := r.Scheme().New(gvk)
	if err != nil {
		return nil, err
	}
	return o.(client.ObjectList), nil
}

// deleteStale deletes owned serving children not in want.
func (r *FunctionReconciler) deleteStale(ctx context.Context, f *v1alpha1.Function, want map[string]bool) error {
	for _, kind := range servingKinds() {
		list, err := r.listOf(kind)
		if err != nil {
			return err
		}
		if err := r.List(ctx, list, client.InNamespace(f.Namespace), client.MatchingLabels{render.LabelFunction: f.Name}); err != nil {
			if meta.IsNoMatchError(err) {
				continue // that API is not installed: nothing of it to delete
			}
			return err
		}
		items, err := meta.ExtractList(list)
		if err != nil {
			return err
		}
		for _, it := range items {
			o := it.(client.Object)
			if !metav1.IsControlledBy(o, f) || want[kindName(o)] {
				continue
			}
			if err := r.Delete(ctx, o); client.IgnoreNotFound(err) != nil {
				return err
			}
		}
	}
	return nil
}

// cleanup deletes every child of a Function being deleted, then lets it go.
func (r *FunctionReconciler) cleanup(ctx context.Context, f *v1alpha1.Function) error {
	if !controllerutil.ContainsFinalizer(f, Finalizer) {
		return nil
	}
	kinds := append(servingKinds(), &shp.BuildRun{}, &shp.Build{}, &corev1.PersistentVolumeClaim{}, &corev1.ServiceAccount{})
	for _, kind := range kinds {
		if err := r.DeleteAllOf(ctx, kind, client.InNamespace(f.Namespace), client.MatchingLabels{render.LabelFunction: f.Name},
			client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil && !meta.IsNoMatchError(err) && !apierrors.IsNotFound(err) {
			return err
		}
	}
	controllerutil.RemoveFinalizer(f, Finalizer)
	return r.Update(ctx, f)
}

func kindName(o client.Object) string {
	return fmt.Sprintf("%T/%s", o, o.GetName())
}

// childFailure turns an API error on a child into a condition (through
// mark) when it is the user's or the cluster's to fix: a rejected object, or
// one whose CRD is missing. Other errors are returned for a retry.
func childFailure(mark func(reason, msg string), o client.Object, err error) error {
	kind := strings.TrimPrefix(fmt.Sprintf("%T", o), "*")
	switch {
	case meta.IsNoMatchError(err):
		mark(v1alpha1.ReasonAPINotInstalled, fmt.Sprintf("%s %s: the cluster does not serve this API; install its CRDs (see the README's Kubernetes prerequisites)", kind, o.GetName()))
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		mark(v1alpha1.ReasonRejected, fmt.Sprintf("the API server rejected %s %s: %v", kind, o.GetName(), err))
	default:
		return err
	}
	return nil
}
