package events

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/util/validation/field"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
	rev "kiln.dev/kiln/controller/render/events"
)

// FieldOwner is the server-side apply field manager of handler Functions.
const FieldOwner = "kiln-controller-events"

// Reconciler reconciles EventSources and Triggers.
type Reconciler struct {
	client.Client
	// Secrets reads Secrets uncached (the manager's API reader), so the
	// controller never caches the cluster's Secrets; nil means Client.
	Secrets      client.Reader
	HandlerImage string
}

// AnnotationCredentialsVersion is the handler's pod annotation carrying the
// resourceVersion of its credentials Secret: a changed password changes
// the pod template, so the handler restarts and daprd reads it.
const AnnotationCredentialsVersion = "events.kiln.dev/credentials-version"

// object is what EventSources and Triggers share here.
type object interface {
	client.Object
	// inner is the EventSource or Trigger itself (the wrapper is not a
	// registered type).
	inner() client.Object
	status() *ev.Status
	validate() field.ErrorList
	eventBus() string
	// handler is the name of o's handler Function (and Secret).
	handler() string
	// confine is what o may not do on ClusterEventBus bus.
	confine(bus string) field.ErrorList
	render(bus *ev.EventBusSpec, image string) (*rev.Handler, error)
}

type eventSource struct{ *ev.EventSource }

func (e eventSource) inner() client.Object      { return e.EventSource }
func (e eventSource) status() *ev.Status        { return &e.Status }
func (e eventSource) validate() field.ErrorList { return e.Validate() }
func (e eventSource) eventBus() string          { return e.Spec.EventBus }
func (e eventSource) handler() string           { return rev.EventSourceFunctionName(e.Name) }

// confine: an EventSource publishes only to its own namespace's topics.
func (e eventSource) confine(string) field.ErrorList { return nil }
func (e eventSource) render(bus *ev.EventBusSpec, image string) (*rev.Handler, error) {
	return rev.EventSourceHandler(e.EventSource, bus, image)
}

type trigger struct{ *ev.Trigger }

func (t trigger) inner() client.Object      { return t.Trigger }
func (t trigger) status() *ev.Status        { return &t.Status }
func (t trigger) validate() field.ErrorList { return t.Validate() }
func (t trigger) eventBus() string          { return t.Spec.EventBus }
func (t trigger) handler() string           { return rev.TriggerFunctionName(t.Name) }
func (t trigger) confine(bus string) field.ErrorList {
	return t.ValidateOnClusterBus(bus)
}
func (t trigger) render(bus *ev.EventBusSpec, image string) (*rev.Handler, error) {
	return rev.TriggerHandler(t.Trigger, bus, image)
}

// errNameTaken: the handler's name is another object's (the status says
// so). Nothing watches that object (it is not ours), so the reconcile is
// retried after nameTakenRetry to notice it renamed or deleted.
var errNameTaken = errors.New("handler name taken")

// nameTakenRetry is how soon a reconcile blocked by a taken name runs again.
const nameTakenRetry = 30 * time.Second

// result turns reconcile's error into the controller's answer.
func result(err error) (ctrl.Result, error) {
	if errors.Is(err, errNameTaken) {
		return ctrl.Result{RequeueAfter: nameTakenRetry}, nil
	}
	return ctrl.Result{}, err
}

// ReconcileEventSource reconciles the EventSource req names.
func (r *Reconciler) ReconcileEventSource(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var es ev.EventSource
	if err := r.Get(ctx, req.NamespacedName, &es); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return result(r.reconcile(ctx, eventSource{&es}))
}

// ReconcileTrigger reconciles the Trigger req names.
func (r *Reconciler) ReconcileTrigger(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	var t ev.Trigger
	if err := r.Get(ctx, req.NamespacedName, &t); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	return result(r.reconcile(ctx, trigger{&t}))
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
		b, cluster, err := r.resolveBus(ctx, o.GetNamespace(), name)
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
		if errs := o.confine(name); cluster && len(errs) > 0 {
			// What ran before (say, before this rule existed) must not
			// keep publishing outside the namespace.
			st.MarkTopicForbidden("ClusterEventBus " + name + " is shared by every namespace: " + errs.ToAggregate().Error())
			return r.stopHandler(ctx, o)
		}
		bus = b
	}
	h, err := o.render(bus, r.HandlerImage)
	if err != nil {
		st.MarkSinkInvalid(err.Error())
		return nil
	}
	f := h.Function
	taken, fn, secret, err := r.nameTaken(ctx, o, f, h.Secret)
	if taken {
		return errNameTaken
	}
	if err != nil {
		return err
	}
	if err := r.applyCredentials(ctx, o, h, secret); err != nil {
		st.MarkApplyFailed(fmt.Sprintf("applying handler Secret %s: %v", f.Name, err))
		return err
	}
	if err := r.writeOwned(ctx, o, f, fn); err != nil {
		st.MarkApplyFailed(fmt.Sprintf("applying handler Function %s: %v", f.Name, err))
		return err
	}
	if err := r.dropStaleCredentials(ctx, o, h); err != nil {
		st.MarkApplyFailed(fmt.Sprintf("deleting the handler's stale Secret %s: %v", f.Name, err))
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
// name (OpenFunction's fallback; cluster is then true), else a NotFound
// error.
func (r *Reconciler) resolveBus(ctx context.Context, ns, name string) (spec *ev.EventBusSpec, cluster bool, err error) {
	var eb ev.EventBus
	err = r.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, &eb)
	if err == nil {
		return &eb.Spec, false, nil
	}
	if !apierrors.IsNotFound(err) {
		return nil, false, fmt.Errorf("eventbus %s/%s: reading: %w", ns, name, err)
	}
	var ceb ev.ClusterEventBus
	if err := r.Get(ctx, client.ObjectKey{Name: name}, &ceb); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, false, err
		}
		return nil, false, fmt.Errorf("clustereventbus %s: reading: %w", name, err)
	}
	return &ceb.Spec, true, nil
}

func kind(o object) string {
	if _, ok := o.(trigger); ok {
		return "trigger"
	}
	return "eventsource"
}
