package events

import (
	"context"
	"flag"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
)

// DefaultHandlerImage is the event handler image (controller/cmd/eventhandler,
// built with ko like the controller's).
const DefaultHandlerImage = "ghcr.io/kiln-dev/kiln-eventhandler:latest"

// Options configure the events controller.
type Options struct {
	// Enabled runs the EventSource and Trigger controllers (the events CRDs
	// must be installed).
	Enabled bool
	// HandlerImage runs every EventSource and Trigger.
	HandlerImage string
}

// BindFlags registers --events and --event-handler-image on fs.
func BindFlags(fs *flag.FlagSet) *Options {
	o := &Options{}
	fs.BoolVar(&o.Enabled, "events", true, "reconcile events.kiln.dev EventSources and Triggers (needs their CRDs)")
	fs.StringVar(&o.HandlerImage, "event-handler-image", DefaultHandlerImage, "image of the EventSource/Trigger handler (controller/cmd/eventhandler)")
	return o
}

// Setup registers the events kinds in mgr's scheme and the EventSource and
// Trigger controllers with mgr (nothing when o is disabled).
func Setup(mgr ctrl.Manager, o *Options) error {
	if o == nil || !o.Enabled {
		return nil
	}
	if err := ev.AddToScheme(mgr.GetScheme()); err != nil {
		return err
	}
	// Without the events CRDs the informers would never sync and the
	// manager would exit: the Function controller keeps running instead.
	gvk := ev.GroupVersion.WithKind("EventSource")
	if _, err := mgr.GetRESTMapper().RESTMapping(gvk.GroupKind(), gvk.Version); err != nil {
		if meta.IsNoMatchError(err) {
			ctrl.Log.WithName("events").Info("events.kiln.dev is not installed: EventSource and Trigger controllers are off; apply controller/config/crd and restart the controller to turn them on")
			return nil
		}
		return err
	}
	r := &Reconciler{Client: mgr.GetClient(), Secrets: mgr.GetAPIReader(), HandlerImage: o.HandlerImage}
	busUsers := func(list func(ctx context.Context, ns string) ([]types.NamespacedName, error)) handler.EventHandler {
		return handler.EnqueueRequestsFromMapFunc(func(ctx context.Context, o client.Object) []reconcile.Request {
			names, err := list(ctx, o.GetNamespace())
			if err != nil {
				ctrl.LoggerFrom(ctx).Error(err, "listing users of an event bus", "bus", o.GetName())
				return nil
			}
			var out []reconcile.Request
			for _, n := range names {
				out = append(out, reconcile.Request{NamespacedName: n})
			}
			return out
		})
	}
	if err := ctrl.NewControllerManagedBy(mgr).Named("eventsource").For(&ev.EventSource{}).Owns(&core.Function{}).
		Watches(&ev.EventBus{}, busUsers(r.eventSourcesIn)).Watches(&ev.ClusterEventBus{}, busUsers(r.eventSourcesIn)).
		Complete(reconcile.Func(r.ReconcileEventSource)); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).Named("trigger").For(&ev.Trigger{}).Owns(&core.Function{}).
		Watches(&ev.EventBus{}, busUsers(r.triggersIn)).Watches(&ev.ClusterEventBus{}, busUsers(r.triggersIn)).
		Complete(reconcile.Func(r.ReconcileTrigger))
}

// eventSourcesIn lists the EventSources of namespace ns ("" for all: a
// ClusterEventBus may serve any namespace).
func (r *Reconciler) eventSourcesIn(ctx context.Context, ns string) ([]types.NamespacedName, error) {
	var l ev.EventSourceList
	if err := r.List(ctx, &l, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	out := make([]types.NamespacedName, 0, len(l.Items))
	for _, es := range l.Items {
		if es.Spec.EventBus != "" {
			out = append(out, types.NamespacedName{Namespace: es.Namespace, Name: es.Name})
		}
	}
	return out, nil
}

func (r *Reconciler) triggersIn(ctx context.Context, ns string) ([]types.NamespacedName, error) {
	var l ev.TriggerList
	if err := r.List(ctx, &l, client.InNamespace(ns)); err != nil {
		return nil, err
	}
	out := make([]types.NamespacedName, 0, len(l.Items))
	for _, t := range l.Items {
		out = append(out, types.NamespacedName{Namespace: t.Namespace, Name: t.Name})
	}
	return out, nil
}
