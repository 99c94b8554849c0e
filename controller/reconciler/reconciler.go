package reconciler

import (
	"context"
	"reflect"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

const (
	// FieldOwner is the controller's server-side apply field manager.
	FieldOwner = "kiln-controller"
	// Finalizer makes deletion explicit: the controller deletes every child
	// before the Function goes (owner references alone rely on the garbage
	// collector, which clusters without kube-controller-manager lack).
	Finalizer = "core.kiln.dev/cleanup"
	// conflictRetry is when a Function whose update conflicted (the cache
	// had an older one) is looked at again; the newer one's watch event
	// usually comes first.
	conflictRetry = time.Second
	// gatewayRetry is when a Function whose Gateway config is missing,
	// invalid or not shared with it is looked at again: the controller does
	// not watch ConfigMaps.
	gatewayRetry = time.Minute
)

// FunctionReconciler reconciles Functions.
type FunctionReconciler struct {
	// Client reads through the manager's informers (Functions and the kinds
	// they own) and writes to the API server.
	client.Client
	// APIReader reads what the controller does not watch straight from the
	// API server: Gateway config ConfigMaps, a deleted Function's build cache
	// and ServiceAccount. SetupWithManager sets the manager's.
	APIReader client.Reader
	Config    render.Config
	// Policy is what Functions' pod templates may do beyond the default.
	Policy v1alpha1.Policy
	// MaxConcurrent is how many Functions reconcile at once.
	MaxConcurrent int
	// APIPollInterval is how often the controller checks whether an API it
	// found missing at start (Knative, KEDA, Dapr, Gateway API, Shipwright
	// CRDs not installed) is served now; DefaultAPIPollInterval when 0.
	APIPollInterval time.Duration
}

// SetupWithManager registers the controller, watching the owned kinds whose
// APIs the cluster serves. A kind whose CRDs are not installed is not
// watched (a watch on it would never sync and stop the manager): Functions
// that need it are marked APINotInstalled when they try to apply it, and a
// Runnable watches it once it is served and brings every Function back.
func (r *FunctionReconciler) SetupWithManager(mgr ctrl.Manager) error {
	if r.APIReader == nil {
		r.APIReader = mgr.GetAPIReader()
	}
	requeue := make(chan event.GenericEvent)
	b := ctrl.NewControllerManagedBy(mgr).For(&v1alpha1.Function{}).
		WatchesRawSource(source.Channel(requeue, &handler.EnqueueRequestForObject{}))
	var missing []client.Object
	for _, kind := range ownedKinds() {
		gvk, ok, err := served(mgr.GetRESTMapper(), mgr.GetScheme(), kind)
		if err != nil {
			return err
		}
		if !ok {
			apiLog.Info("API not installed: not watching it; Functions that need it are marked "+v1alpha1.ReasonAPINotInstalled+" until it is",
				"kind", gvk.String(), "install", product(gvk.Group))
			missing = append(missing, kind)
			continue
		}
		b = b.Owns(kind)
	}
	if r.MaxConcurrent > 0 {
		b = b.WithOptions(controller.Options{MaxConcurrentReconciles: r.MaxConcurrent})
	}
	c, err := b.Build(r)
	if err != nil {
		return err
	}
	if len(missing) == 0 {
		return nil
	}
	interval := r.APIPollInterval
	if interval <= 0 {
		interval = DefaultAPIPollInterval
	}
	return mgr.Add(&apiWatcher{ctrl: c, cache: mgr.GetCache(), mapper: mgr.GetRESTMapper(), scheme: mgr.GetScheme(),
		reader: mgr.GetClient(), missing: missing, interval: interval, requeue: requeue})
}

// Reconcile brings one Function's children and status up to date.
func (r *FunctionReconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var stored v1alpha1.Function
	if err := r.Get(ctx, req.NamespacedName, &stored); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if !stored.DeletionTimestamp.IsZero() {
		return result(r.cleanup(ctx, &stored))
	}
	if controllerutil.AddFinalizer(&stored, Finalizer) {
		if err := r.Update(ctx, &stored); err != nil {
			return result(err)
		}
	}
	f := stored.DeepCopy()
	f.Default()
	status := stored.Status.DeepCopy()
	status.ObservedGeneration = stored.Generation

	after, err := r.reconcile(ctx, f, status)
	if uerr := r.updateStatus(ctx, &stored, status); uerr != nil && err == nil {
		err = uerr
	}
	res, err := result(err)
	if err == nil && res.RequeueAfter == 0 {
		res.RequeueAfter = after
	}
	return res, err
}

// result turns a conflict (the cache had an older Function) into a quiet
// retry; other errors are retried with backoff by controller-runtime.
func result(err error) (ctrl.Result, error) {
	if apierrors.IsConflict(err) {
		return ctrl.Result{RequeueAfter: conflictRetry}, nil
	}
	return ctrl.Result{}, err
}

// reconcile does the work for a defaulted Function, recording progress and
// the user's errors in st; it returns errors worth a retry, and when to look
// again at what no watch reports (a Gateway config).
func (r *FunctionReconciler) reconcile(ctx context.Context, f *v1alpha1.Function, st *v1alpha1.FunctionStatus) (time.Duration, error) {
	if errs := f.ValidateWith(r.Policy); len(errs) > 0 {
		st.MarkInvalidSpec(errs.ToAggregate().Error())
		return 0, nil
	}
	cfg := r.Config
	if f.Spec.Serving != nil && !f.IsAsync() && f.Spec.Serving.Triggers.HTTP.Route != nil {
		g, reason, err := r.gateway(ctx, f)
		if err != nil {
			if reason == "" {
				return 0, err
			}
			st.MarkServingFailed(reason, err.Error())
			return gatewayRetry, nil
		}
		cfg.Gateway = g
	}
	return r.reconcileChildren(ctx, f, cfg, st)
}

// reconcileChildren builds and serves f; it returns when to look again at
// what no watch reports (a missing build strategy).
func (r *FunctionReconciler) reconcileChildren(ctx context.Context, f *v1alpha1.Function, cfg render.Config, st *v1alpha1.FunctionStatus) (time.Duration, error) {
	image := f.Spec.Image
	var after time.Duration
	if f.Spec.Build == nil {
		st.MarkBuildSkipped()
	} else {
		built, retry, err := r.reconcileBuild(ctx, f, cfg, st)
		if err != nil {
			return 0, err
		}
		after = retry
		if built == "" {
			// Roll forward only on success: keep serving the last good image.
			if st.Revision == nil || st.Revision.ImageDigest == "" {
				if f.Spec.Serving != nil {
					st.MarkServingWaitingForBuild()
				} else {
					st.MarkServingSkipped()
				}
				return after, nil
			}
			built = st.Revision.ImageDigest
		}
		image = built
	}
	if f.Spec.Serving == nil {
		st.MarkServingSkipped()
		return after, nil
	}
	servingAfter, err := r.reconcileServing(ctx, f, cfg, image, st)
	if after == 0 || (servingAfter != 0 && servingAfter < after) {
		after = servingAfter
	}
	return after, err
}

func (r *FunctionReconciler) updateStatus(ctx context.Context, stored *v1alpha1.Function, st *v1alpha1.FunctionStatus) error {
	if reflect.DeepEqual(stored.Status, *st) {
		return nil
	}
	stored.Status = *st
	return r.Status().Update(ctx, stored)
}
