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
	return Apply(ctx, r.Client, f, o, FieldOwner)
}

// Apply server-side applies o, controlled by owner, as fieldOwner (forcing
// ownership of its fields) and reads the API server's answer back into o.
// The Function controller and the events controller apply their children
// through it.
func Apply(ctx context.Context, c client.Client, owner, o client.Object, fieldOwner string) error {
	return ApplyAt(ctx, c, owner, o, fieldOwner, "")
}

// ApplyAt is Apply with resourceVersion as a precondition (when not ""):
// the API server refuses the apply with a Conflict if the object changed
// since it was read at that version, so a check made on what was read
// (say, who controls it) still holds when the write lands.
func ApplyAt(ctx context.Context, c client.Client, owner, o client.Object, fieldOwner, resourceVersion string) error {
	if err := controllerutil.SetControllerReference(owner, o, c.Scheme()); err != nil {
		return err
	}
	o.SetManagedFields(nil)
	o.SetResourceVersion(resourceVersion)
	u, err := render.Unstructured(o)
	if err != nil {
		return err
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner(fieldOwner), client.ForceOwnership); err != nil {
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

// deleteStale deletes the serving children of f not in want.
func (r *FunctionReconciler) deleteStale(ctx context.Context, f *v1alpha1.Function, want map[string]bool) error {
	for _, kind := range servingKinds() {
		if err := r.deleteControlled(ctx, f, kind, want); err != nil {
			return err
		}
	}
	return nil
}

// deleteControlled deletes the objects of kind that f controls, but those
// in keep. It goes by owner reference, never by label alone: the label only
// narrows the cache lookup, as a user can put it on objects of their own.
func (r *FunctionReconciler) deleteControlled(ctx context.Context, f *v1alpha1.Function, kind client.Object, keep map[string]bool) error {
	list, err := r.listOf(kind)
	if err != nil {
		return err
	}
	if err := r.List(ctx, list, client.InNamespace(f.Namespace), client.MatchingLabels{render.LabelFunction: f.Name}); err != nil {
		if meta.IsNoMatchError(err) {
			return nil // that API is not installed: nothing of it to delete
		}
		return err
	}
	items, err := meta.ExtractList(list)
	if err != nil {
		return err
	}
	for _, it := range items {
		if o := it.(client.Object); metav1.IsControlledBy(o, f) && !keep[kindName(o)] {
			if err := r.deleteChild(ctx, o); err != nil {
				return err
			}
		}
	}
	return nil
}

// deleteChild deletes o, the very object seen (its UID), in the background.
func (r *FunctionReconciler) deleteChild(ctx context.Context, o client.Object) error {
	uid := o.GetUID()
	err := r.Delete(ctx, o, client.Preconditions{UID: &uid}, client.PropagationPolicy(metav1.DeletePropagationBackground))
	if apierrors.IsNotFound(err) || apierrors.IsConflict(err) {
		return nil // gone already, or replaced by an object that is not ours
	}
	return err
}

// cleanup deletes every child of a Function being deleted, then lets it go.
func (r *FunctionReconciler) cleanup(ctx context.Context, f *v1alpha1.Function) error {
	if !controllerutil.ContainsFinalizer(f, Finalizer) {
		return nil
	}
	for _, kind := range ownedKinds() {
		if err := r.deleteControlled(ctx, f, kind, nil); err != nil {
			return err
		}
	}
	// The build cache and ServiceAccount have fixed names, and no informer.
	for _, c := range []struct {
		name string
		o    client.Object
	}{{render.CacheClaimName(f), &corev1.PersistentVolumeClaim{}}, {render.ServiceAccountName(f), &corev1.ServiceAccount{}}} {
		o := c.o
		if err := r.APIReader.Get(ctx, client.ObjectKey{Namespace: f.Namespace, Name: c.name}, o); err != nil {
			if apierrors.IsNotFound(err) {
				continue
			}
			return err
		}
		if metav1.IsControlledBy(o, f) {
			if err := r.deleteChild(ctx, o); err != nil {
				return err
			}
		}
	}
	controllerutil.RemoveFinalizer(f, Finalizer)
	return r.Update(ctx, f)
}

func kindName(o client.Object) string {
	return fmt.Sprintf("%T/%s", o, o.GetName())
}

// childFailure turns an API error on a child into a condition (through
// mark) when it is the user's or the cluster's to fix: a rejected object,
// one whose CRD is missing, one the controller may not write there. Other
// errors (and refusals) are returned for a retry.
func childFailure(mark func(reason, msg string), o client.Object, err error) error {
	kind := strings.TrimPrefix(fmt.Sprintf("%T", o), "*")
	switch {
	case meta.IsNoMatchError(err):
		api, install := kind, "its CRDs"
		if gvk := o.GetObjectKind().GroupVersionKind(); gvk.Kind != "" {
			api, install = gvk.GroupVersion().String()+" "+gvk.Kind, product(gvk.Group)
		}
		mark(v1alpha1.ReasonAPINotInstalled, fmt.Sprintf("%s %s: the cluster does not serve this API; install %s (see the README's Kubernetes prerequisites): the controller picks it up without a restart", api, o.GetName(), install))
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		mark(v1alpha1.ReasonRejected, fmt.Sprintf("the API server rejected %s %s: %v", kind, o.GetName(), err))
	case apierrors.IsForbidden(err):
		// RBAC (or a quota): reported, and retried with backoff, as a
		// binding or quota can change without a Function changing.
		mark(v1alpha1.ReasonForbidden, fmt.Sprintf("the API server refused %s %s: %v; the controller writes in a namespace where the ClusterRole kiln-controller-children is bound to it (controller/config/rbac)", kind, o.GetName(), err))
		return err
	default:
		return err
	}
	return nil
}
