package events

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
	rev "kiln.dev/kiln/controller/render/events"
)

// FieldOwner is the server-side apply field manager of handler Functions.
const FieldOwner = "kiln-controller-events"

// Reconciler reconciles EventSources and Triggers.
type Reconciler struct {
	client.Client
	HandlerImage string
}

// object is what EventSources and Triggers share here.
type object interface {
	client.Object
	// inner is the EventSource or Trigger itself (the wrapper is not a
	// registered type).
	inner() client.Object
	status() *ev.Status
	validate() field.ErrorList
	eventBus() string
	render(bus *ev.EventBusSpec, image string) (*core.Function, error)
}

type eventSource struct{ *ev.EventSource }

func (e eventSource) inner() client.Object      { return e.EventSource }
func (e eventSource) status() *ev.Status        { return &e.Status }
func (e eventSource) validate() field.ErrorList { return e.Validate() }
func (e eventSource) eventBus() string          { return e.Spec.EventBus }
func (e eventSource) render(bus *ev.EventBusSpec, image string) (*core.Function, error) {
	return rev.EventSourceFunction(e.EventSource, bus, image)
}

type trigger struct{ *ev.Trigger }

func (t trigger) inner() client.Object      { return t.Trigger }
func (t trigger) status() *ev.Status        { return &t.Status }
func (t trigger) validate() field.ErrorList { return t.Validate() }
func (t trigger) eventBus() string          { return t.Spec.EventBus }
func (t trigger) render(bus *ev.EventBusSpec, image string) (*core.Function, error) {
	return rev.TriggerFunction(t.Trigger, bus, image)
}

// ReconcileEventSource reconciles the EventSource req names.
func (r *Reconciler) ReconcileEventSource(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var es ev.EventSource
	if err := r.Get(ctx, req.NamespacedName, &es); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return ctrl.Result{}, r.reconcile(ctx, eventSource{&es})
}

// ReconcileTrigger reconciles the Trigger req names.
func (r *Reconciler) ReconcileTrigger(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var t ev.Trigger
	if err := r.Get(ctx, req.NamespacedName, &t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return ctrl.Result{}, r.reconcile(ctx, trigger{&t})
}

// reconcile applies o's handler Function and records the outcome in o's
// status. Spec and bus problems are the user's to fix: they are reported
// in the Ready condition, not retried; API errors are returned (retried).
func (r *Reconciler) reconcile(ctx context.Context, o object) error {
	before := o.status().DeepCopy()
	err := r.applyHandler(ctx, o)
	st := o.status()
	st.ObservedGeneration = o.GetGeneration()
	if equality.Semantic.DeepEqual(before, st) {
		return err
	}
	if uerr := r.Status().Update(ctx, o.inner()); uerr != nil {
		return errors.Join(err, fmt.Errorf("%s %s/%s: updating status: %w", kind(o), o.GetNamespace(), o.GetName(), uerr))
	}
	return err
}

func (r *Reconciler) applyHandler(ctx context.Context, o object) error {
	st := o.status()
	if errs := o.validate(); len(errs) > 0 {
		st.MarkInvalidSpec(errs.ToAggregate().Error())
		return nil
	}
	var bus *ev.EventBusSpec
	if name := o.eventBus(); name != "" {
		b, err := r.resolveBus(ctx, o.GetNamespace(), name)
		if apierrors.IsNotFound(err) {
			st.MarkEventBusNotFound(name, o.GetNamespace())
			return nil
		}
		if err != nil {
			return err
		}
		if errs := b.Validate(); len(errs) > 0 {
			st.MarkEventBusInvalid("eventbus " + name + ": " + errs.ToAggregate().Error())
			return nil
		}
		bus = b
	}
	f, err := o.render(bus, r.HandlerImage)
	if err != nil {
		st.MarkSinkInvalid(err.Error())
		return nil
	}
	if err := r.apply(ctx, o, f); err != nil {
		st.MarkApplyFailed(fmt.Sprintf("applying handler Function %s: %v", f.Name, err))
		return err
	}
	ready := meta.FindStatusCondition(f.Status.Conditions, core.ConditionReady)
	msg := ""
	if ready != nil {
		msg = "handler Function " + f.Name + ": " + ready.Message
	}
	st.MarkFunctionApplied(f.Name, ready != nil && ready.Status == "True", msg)
	return nil
}

// resolveBus is the EventBus name of namespace ns, else the ClusterEventBus
// name (OpenFunction's fallback), else a NotFound error.
func (r *Reconciler) resolveBus(ctx context.Context, ns, name string) (*ev.EventBusSpec, error) {
	var eb ev.EventBus
	err := r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &eb)
	if err == nil {
		return &eb.Spec, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, fmt.Errorf("eventbus %s/%s: reading: %w", ns, name, err)
	}
	var ceb ev.ClusterEventBus
	if err := r.Get(ctx, client.ObjectKey{Name: name}, &ceb); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, err
		}
		return nil, fmt.Errorf("clustereventbus %s: reading: %w", name, err)
	}
	return &ceb.Spec, nil
}

// apply server-side applies f owned by o and reads the API server's answer
// (with the Function's status) back into f.
func (r *Reconciler) apply(ctx context.Context, o object, f *core.Function) error {
	return reconciler.Apply(ctx, r.Client, o.inner(), f, FieldOwner)
}

func kind(o object) string {
	if _, ok := o.(trigger); ok {
		return "trigger"
	}
	return "eventsource"
}
