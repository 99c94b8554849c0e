package reconciler

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// Condition types and states in Function status.
const (
	CondBuilt   = "Built"
	CondServing = "ServingReady"
	CondReady   = "Ready"

	StateBuilding  = "Building"
	StateSucceeded = "Succeeded"
	StateFailed    = "Failed"
	StateSkipped   = "Skipped"
	StateStarting  = "Starting"
	StateRunning   = "Running"
	StatePending   = "Pending"

	FieldOwner = "kiln-controller"
	// Finalizer makes deletion explicit: the controller deletes every child
	// before the Function goes (owner references alone rely on the garbage
	// collector, which clusters without kube-controller-manager lack).
	Finalizer = "core.kiln.dev/cleanup"
)

// FunctionReconciler reconciles Functions.
type FunctionReconciler struct {
	client.Client
	Config render.Config
	// MaxConcurrent is how many Functions reconcile at once.
	MaxConcurrent int
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

// servingKinds are the kinds of serving object a Function can own: stale
// ones (spec changed from sync to async, a component removed) are deleted.
func servingKinds() []client.Object {
	return []client.Object{&servingv1.Service{}, &appsv1.Deployment{}, &appsv1.StatefulSet{},
		&kedav1alpha1.ScaledObject{}, &kedav1alpha1.ScaledJob{}, &daprv1alpha1.Component{}, &gatewayv1.HTTPRoute{}}
}

// SetupWithManager registers the controller, watching what it owns.
func (r *FunctionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	b := ctrl.NewControllerManagedBy(mgr).For(&v1alpha1.Function{}).Owns(&shp.BuildRun{}).Owns(&shp.Build{})
	for _, kind := range servingKinds() {
		b = b.Owns(kind)
	}
	if r.MaxConcurrent > 0 {
		b = b.WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrent})
	}
	return b.Complete(r)
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

// Reconcile brings one Function's children and status up to date.
func (r *FunctionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var stored v1alpha1.Function
	if err := r.Get(ctx, req.NamespacedName, &stored); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !stored.DeletionTimestamp.IsZero() {
		return ctrl.Result{}, r.cleanup(ctx, &stored)
	}
	if controllerutil.AddFinalizer(&stored, Finalizer) {
		if err := r.Update(ctx, &stored); err != nil {
			return ctrl.Result{Requeue: apierrors.IsConflict(err)}, ignoreConflict(err)
		}
	}
	f := stored.DeepCopy()
	f.Default()
	status := stored.Status.DeepCopy()
	status.ObservedGeneration = stored.Generation

	err := r.reconcile(ctx, f, status)
	if uerr := r.updateStatus(ctx, &stored, status); uerr != nil && err == nil {
		err = uerr
	}
	if apierrors.IsConflict(err) {
		// The cache had an older Function: the newer one queues another pass.
		return ctrl.Result{Requeue: true}, nil
	}
	return ctrl.Result{}, err
}

// userError is a problem with the Function the user must fix: it becomes a
// condition, not a retry.
type userError struct{ reason, msg string }

func (e userError) Error() string { return e.msg }

func (r *FunctionReconciler) reconcile(ctx context.Context, f *v1alpha1.Function, st *v1alpha1.FunctionStatus) error {
	if errs := f.Validate(); len(errs) > 0 {
		return r.fail(st, CondReady, "InvalidSpec", errs.ToAggregate().Error())
	}
	cfg := r.Config
	if v := f.Spec.Serving; v != nil && !f.IsAsync() && v.Triggers.HTTP.Route != nil {
		g, err := r.gateway(ctx, f)
		if err != nil {
			if ue, ok := err.(userError); ok {
				return r.fail(st, CondServing, ue.reason, ue.msg)
			}
			return err
		}
		cfg.Gateway = g
	}

	image := f.Spec.Image
	if f.Spec.Build == nil {
		st.Build = &v1alpha1.ChildStatus{State: StateSkipped}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondBuilt, Status: metav1.ConditionTrue, Reason: "NoBuild", Message: "spec.build is not set: spec.image is served as is"})
	} else {
		built, err := r.reconcileBuild(ctx, f, cfg, st)
		if err != nil {
			return err
		}
		if built == "" {
			if st.Revision == nil || st.Revision.ImageDigest == "" {
				if f.Spec.Serving != nil {
					st.Serving = &v1alpha1.ChildStatus{State: StatePending, Reason: "WaitingForBuild", Message: "serving starts when the first build succeeds"}
				}
				r.setReady(st)
				return nil
			}
			built = st.Revision.ImageDigest // roll forward only on success: keep serving the last good image
		}
		image = built
	}
	if f.Spec.Serving == nil {
		st.Serving = &v1alpha1.ChildStatus{State: StateSkipped}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondServing, Status: metav1.ConditionTrue, Reason: "NoServing", Message: "spec.serving is not set"})
		r.setReady(st)
		return nil
	}
	return r.reconcileServing(ctx, f, cfg, image, st)
}

// gateway reads the route's Gateway config.
func (r *FunctionReconciler) gateway(ctx context.Context, f *v1alpha1.Function) (*render.Gateway, error) {
	ref := f.Spec.Serving.Triggers.HTTP.Route.GatewayRef
	var cm corev1.ConfigMap
	if err := r.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, &cm); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, userError{"GatewayConfigNotFound", fmt.Sprintf("spec.serving.triggers.http.route.gatewayRef: no Gateway config ConfigMap %s/%s; apply controller/config/gateway or point gatewayRef at yours", ref.Namespace, ref.Name)}
		}
		return nil, err
	}
	g, err := render.GatewayFromConfigMap(&cm)
	if err != nil {
		return nil, userError{"GatewayConfigInvalid", err.Error()}
	}
	return g, nil
}

// reconcileBuild applies the Build and its cache PVC, starts a BuildRun for
// the current build hash, and returns the pinned image once it succeeded.
func (r *FunctionReconciler) reconcileBuild(ctx context.Context, f *v1alpha1.Function, cfg render.Config, st *v1alpha1.FunctionStatus) (string, error) {
	build, pvc, err := render.Build(f, cfg)
	if err != nil {
		return "", r.fail(st, CondBuilt, "InvalidBuild", err.Error())
	}
	if err := r.createOnce(ctx, f, pvc); err != nil {
		return "", err
	}
	if sa := render.BuildServiceAccount(f); sa != nil {
		if err := r.apply(ctx, f, sa); err != nil {
			return "", r.applyFailure(st, CondBuilt, sa, err)
		}
	}
	if err := r.apply(ctx, f, build); err != nil {
		return "", r.applyFailure(st, CondBuilt, build, err)
	}
	hash := render.BuildHash(f)
	run := render.BuildRun(f, hash)
	if err := r.createOnce(ctx, f, run); err != nil {
		return "", r.applyFailure(st, CondBuilt, run, err)
	}
	var cur shp.BuildRun
	if err := r.Get(ctx, client.ObjectKeyFromObject(run), &cur); err != nil {
		return "", err
	}
	bs := &v1alpha1.ChildStatus{State: StateBuilding, ResourceRef: cur.Name, ResourceHash: hash}
	st.Build = bs
	c := cur.Status.GetCondition(shp.Succeeded)
	switch {
	case c != nil && c.Status == corev1.ConditionTrue:
		if cur.Status.Output == nil || cur.Status.Output.Digest == "" {
			bs.State, bs.Reason, bs.Message = StateFailed, "NoDigest", "BuildRun "+cur.Name+" succeeded without an output digest"
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondBuilt, Status: metav1.ConditionFalse, Reason: bs.Reason, Message: bs.Message})
			return "", nil
		}
		pinned := PinDigest(f.Spec.Image, cur.Status.Output.Digest)
		bs.State = StateSucceeded
		st.Revision = &v1alpha1.Revision{ImageDigest: pinned}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondBuilt, Status: metav1.ConditionTrue, Reason: "BuildRunSucceeded", Message: "built " + pinned})
		return pinned, nil
	case c != nil && c.Status == corev1.ConditionFalse:
		bs.State, bs.Reason, bs.Message = StateFailed, c.Reason, c.Message
		if c.Reason == "BuildRunTimeout" {
			bs.State = "Timeout"
		}
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondBuilt, Status: metav1.ConditionFalse, Reason: orDefault(c.Reason, "BuildRunFailed"),
			Message: fmt.Sprintf("BuildRun %s failed: %s (kubectl logs of its pod show the build output)", cur.Name, c.Message)})
		return "", nil
	default:
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondBuilt, Status: metav1.ConditionUnknown, Reason: "Building", Message: "BuildRun " + cur.Name + " is running"})
		return "", nil
	}
}

// reconcileServing applies the serving objects, deletes stale ones and
// reports readiness.
func (r *FunctionReconciler) reconcileServing(ctx context.Context, f *v1alpha1.Function, cfg render.Config, image string, st *v1alpha1.FunctionStatus) error {
	objs, err := render.Serving(f, cfg, image)
	if err != nil {
		return r.fail(st, CondServing, "InvalidServing", err.Error())
	}
	want := map[string]bool{}
	for _, o := range objs {
		if err := r.apply(ctx, f, o); err != nil {
			return r.applyFailure(st, CondServing, o, err)
		}
		want[kindName(o)] = true
	}
	if err := r.deleteStale(ctx, f, want); err != nil {
		return err
	}
	ss := &v1alpha1.ChildStatus{State: StateStarting, ResourceRef: objs[0].GetName(), ResourceHash: objs[0].GetAnnotations()[render.AnnotationHash]}
	st.Serving = ss
	ready, reason, msg, url := r.servingReady(ctx, f, objs[0])
	st.Addresses = nil
	if url != "" {
		st.Addresses = append(st.Addresses, v1alpha1.FunctionAddress{Type: "Internal", Value: url})
	}
	if ext := render.URL(f, cfg.Gateway); ext != "" {
		st.Addresses = append(st.Addresses, v1alpha1.FunctionAddress{Type: "External", Value: ext})
		url = ext
	}
	st.URL = url
	if ready {
		ss.State = StateRunning
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondServing, Status: metav1.ConditionTrue, Reason: reason, Message: msg})
	} else {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondServing, Status: metav1.ConditionFalse, Reason: reason, Message: msg})
	}
	r.setReady(st)
	return nil
}

// servingReady reads the workload's own readiness.
func (r *FunctionReconciler) servingReady(ctx context.Context, f *v1alpha1.Function, workload client.Object) (bool, string, string, string) {
	key := client.ObjectKeyFromObject(workload)
	switch workload.(type) {
	case *servingv1.Service:
		var ks servingv1.Service
		if err := r.Get(ctx, key, &ks); err != nil {
			return false, "KnativeServiceMissing", err.Error(), ""
		}
		url := ""
		if ks.Status.URL != nil {
			url = ks.Status.URL.String()
		}
		for _, c := range ks.Status.Conditions {
			if c.Type == "Ready" {
				if c.Status == corev1.ConditionTrue {
					return true, "KnativeServiceReady", "Knative Service " + ks.Name + " is ready", url
				}
				return false, orDefault(c.Reason, "KnativeServiceNotReady"), fmt.Sprintf("Knative Service %s: %s", ks.Name, c.Message), url
			}
		}
		return false, "KnativeServiceNotReady", "waiting for Knative to report Knative Service " + ks.Name + " ready", url
	case *appsv1.Deployment:
		var d appsv1.Deployment
		if err := r.Get(ctx, key, &d); err != nil {
			return false, "DeploymentMissing", err.Error(), ""
		}
		if d.Status.AvailableReplicas > 0 || (d.Spec.Replicas != nil && *d.Spec.Replicas == 0) {
			return true, "DeploymentAvailable", fmt.Sprintf("Deployment %s: %d available", d.Name, d.Status.AvailableReplicas), ""
		}
		return false, "DeploymentUnavailable", "waiting for Deployment " + d.Name + " to have an available replica", ""
	case *appsv1.StatefulSet:
		var s appsv1.StatefulSet
		if err := r.Get(ctx, key, &s); err != nil {
			return false, "StatefulSetMissing", err.Error(), ""
		}
		if s.Status.ReadyReplicas > 0 {
			return true, "StatefulSetReady", fmt.Sprintf("StatefulSet %s: %d ready", s.Name, s.Status.ReadyReplicas), ""
		}
		return false, "StatefulSetNotReady", "waiting for StatefulSet " + s.Name + " to have a ready replica", ""
	default: // a ScaledJob: KEDA starts Jobs on demand
		return true, "ScaledJobCreated", "KEDA starts Jobs when its triggers fire", ""
	}
}

// apply server-side-applies o, owned by f.
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
	return r.Patch(ctx, u, client.Apply, client.FieldOwner(FieldOwner), client.ForceOwnership) //nolint:staticcheck // server-side apply

}

// createOnce creates o (owned by f) unless it exists: PVC specs and
// BuildRuns are immutable.
func (r *FunctionReconciler) createOnce(ctx context.Context, f *v1alpha1.Function, o client.Object) error {
	if err := controllerutil.SetControllerReference(f, o, r.Scheme()); err != nil {
		return err
	}
	if err := r.Create(ctx, o); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
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

func kindName(o client.Object) string {
	return fmt.Sprintf("%T/%s", o, o.GetName())
}

// applyFailure turns an API error on a child into a condition: a rejected
// object (invalid, or its CRD missing) is the user's or the cluster's to fix.
func (r *FunctionReconciler) applyFailure(st *v1alpha1.FunctionStatus, cond string, o client.Object, err error) error {
	kind := strings.TrimPrefix(fmt.Sprintf("%T", o), "*")
	switch {
	case meta.IsNoMatchError(err):
		return r.fail(st, cond, "APINotInstalled", fmt.Sprintf("%s %s: the cluster does not serve this API; install its CRDs (see the README's Kubernetes prerequisites)", kind, o.GetName()))
	case apierrors.IsInvalid(err) || apierrors.IsBadRequest(err):
		return r.fail(st, cond, "Rejected", fmt.Sprintf("the API server rejected %s %s: %v", kind, o.GetName(), err))
	default:
		return err
	}
}

// fail records a user-facing failure; it is not retried until the spec changes.
func (r *FunctionReconciler) fail(st *v1alpha1.FunctionStatus, cond, reason, msg string) error {
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: cond, Status: metav1.ConditionFalse, Reason: reason, Message: msg})
	if cond != CondReady {
		meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondReady, Status: metav1.ConditionFalse, Reason: reason, Message: msg})
	}
	return nil
}

// setReady derives Ready from Built and ServingReady.
func (r *FunctionReconciler) setReady(st *v1alpha1.FunctionStatus) {
	for _, t := range []string{CondBuilt, CondServing} {
		c := meta.FindStatusCondition(st.Conditions, t)
		if c == nil {
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondReady, Status: metav1.ConditionUnknown, Reason: "Reconciling", Message: "waiting for " + t})
			return
		}
		if c.Status != metav1.ConditionTrue {
			meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondReady, Status: c.Status, Reason: c.Reason, Message: c.Message})
			return
		}
	}
	meta.SetStatusCondition(&st.Conditions, metav1.Condition{Type: CondReady, Status: metav1.ConditionTrue, Reason: "Ready", Message: "built and serving"})
}

func (r *FunctionReconciler) updateStatus(ctx context.Context, stored *v1alpha1.Function, st *v1alpha1.FunctionStatus) error {
	if reflect.DeepEqual(stored.Status, *st) {
		return nil
	}
	stored.Status = *st
	return r.Status().Update(ctx, stored)
}

// PinDigest is image (tag dropped) at digest.
func PinDigest(image, digest string) string {
	if i := strings.Index(image, "@"); i >= 0 {
		image = image[:i]
	}
	if slash, colon := strings.LastIndex(image, "/"), strings.LastIndex(image, ":"); colon > slash {
		image = image[:colon]
	}
	return image + "@" + digest
}

func ignoreConflict(err error) error {
	if apierrors.IsConflict(err) {
		return nil
	}
	return err
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
