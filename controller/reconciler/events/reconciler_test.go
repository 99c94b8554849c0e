package events

import (
	"context"
	"errors"
	"strings"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
)

const image = "registry.example.com/kiln/eventhandler:test"

func redisBus(name string) *ev.EventBus {
	return &ev.EventBus{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: ev.EventBusSpec{Redis: &ev.RedisBusSpec{RedisHost: "redis:6379"}}}
}

func kafkaClusterBus(name string) *ev.ClusterEventBus {
	return &ev.ClusterEventBus{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ev.EventBusSpec{Kafka: &ev.KafkaBusSpec{Brokers: "kafka:9092"}}}
}

func cronSource() *ev.EventSource {
	return &ev.EventSource{ObjectMeta: metav1.ObjectMeta{Name: "es", Namespace: "default", Generation: 3, UID: "es-uid"},
		Spec: ev.EventSourceSpec{EventBus: "default", Cron: map[string]*ev.CronSpec{"tick": {Schedule: "@every 2s"}}}}
}

func readyFunction(name string, ready metav1.ConditionStatus) *core.Function {
	return &core.Function{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: core.FunctionSpec{Image: image},
		Status: core.FunctionStatus{Conditions: []metav1.Condition{{Type: core.ConditionReady, Status: ready,
			Reason: "R", Message: "serving", LastTransitionTime: metav1.Now()}}}}
}

var errBoom = apierrors.NewInternalError(errors.New("boom"))

func TestReconcileEventSource(t *testing.T) {
	for _, tc := range []struct {
		name     string
		objs     []client.Object
		failures []failure
		mutate   func(*ev.EventSource)
		wantErr  string
		reason   string // of Ready; "" = status never written
		status   metav1.ConditionStatus
		msg      string
		busType  string // of the applied Function's bus; "" = no Function
	}{
		{name: "namespaced bus", objs: []client.Object{redisBus("default")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, msg: "waiting for handler Function eventsource-es", busType: "pubsub.redis"},
		{name: "cluster bus fallback", objs: []client.Object{kafkaClusterBus("default")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, busType: "pubsub.kafka"},
		{name: "handler ready", objs: []client.Object{redisBus("default"), readyFunction("eventsource-es", metav1.ConditionTrue)},
			reason: ev.ReasonReady, status: metav1.ConditionTrue, msg: "handler Function eventsource-es is ready", busType: "pubsub.redis"},
		{name: "handler not ready", objs: []client.Object{redisBus("default"), readyFunction("eventsource-es", metav1.ConditionFalse)},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, msg: "handler Function eventsource-es: serving", busType: "pubsub.redis"},
		{name: "sink only", mutate: func(es *ev.EventSource) { es.Spec.EventBus = ""; es.Spec.Sink = &ev.SinkSpec{URI: ptr("http://sink")} },
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown},
		{name: "no bus", reason: ev.ReasonEventBusNotFound, status: metav1.ConditionFalse,
			msg: "no EventBus default in namespace default and no ClusterEventBus default"},
		{name: "invalid spec", mutate: func(es *ev.EventSource) { es.Spec.Cron["tick"].Schedule = "" },
			reason: ev.ReasonInvalidSpec, status: metav1.ConditionFalse, msg: "spec.cron[tick].schedule: Required"},
		{name: "invalid bus", objs: []client.Object{&ev.EventBus{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: "default"}}},
			reason: ev.ReasonEventBusInvalid, status: metav1.ConditionFalse, msg: "eventbus default: spec: Required value: one backend"},
		{name: "bus read fails", objs: []client.Object{redisBus("default")}, failures: []failure{{"get", "EventBus", errBoom}},
			wantErr: "eventbus default/default: reading: Internal error occurred: boom"},
		{name: "cluster bus read fails", failures: []failure{{"get", "ClusterEventBus", errBoom}},
			wantErr: "clustereventbus default: reading"},
		{name: "apply fails", objs: []client.Object{redisBus("default")}, failures: []failure{{"apply", "", errBoom}},
			wantErr: "boom", reason: ev.ReasonApplyFailed, status: metav1.ConditionFalse, msg: "applying handler Function eventsource-es: Internal error"},
		{name: "status update fails", objs: []client.Object{redisBus("default")}, failures: []failure{{"status", "", errBoom}},
			wantErr: "eventsource default/es: updating status", busType: "pubsub.redis"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := cronSource()
			if tc.mutate != nil {
				tc.mutate(es)
			}
			c := newClient(t, tc.failures, append(tc.objs, es)...)
			r := &Reconciler{Client: c, HandlerImage: image}
			_, err := r.ReconcileEventSource(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(es)})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var got ev.EventSource
			if err := c.Get(context.Background(), client.ObjectKeyFromObject(es), &got); err != nil {
				t.Fatal(err)
			}
			cond := got.Status.GetCondition(ev.ConditionReady)
			switch {
			case tc.reason == "" && cond != nil:
				t.Errorf("status written: %+v", cond)
			case tc.reason != "" && cond == nil:
				t.Errorf("no Ready condition, want %s", tc.reason)
			case cond != nil && (cond.Reason != tc.reason || cond.Status != tc.status || !strings.Contains(cond.Message, tc.msg)):
				t.Errorf("Ready = %s %s %q, want %s %s %q", cond.Status, cond.Reason, cond.Message, tc.status, tc.reason, tc.msg)
			}
			if cond != nil && got.Status.ObservedGeneration != 3 {
				t.Errorf("observedGeneration = %d, want 3", got.Status.ObservedGeneration)
			}
			var f core.Function
			ferr := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &f)
			if tc.busType == "" {
				if ferr == nil && f.Spec.Serving != nil && f.Spec.Serving.Pubsub != nil {
					t.Errorf("a Function with a bus was applied: %+v", f.Spec.Serving.Pubsub)
				}
				return
			}
			if ferr != nil {
				t.Fatalf("handler Function: %v", ferr)
			}
			if b := f.Spec.Serving.Pubsub["eventbus"]; b == nil || b.Type != tc.busType {
				t.Errorf("bus component = %+v, want %s", b, tc.busType)
			}
			if owner := metav1.GetControllerOf(&f); owner == nil || owner.Kind != "EventSource" || owner.Name != "es" || owner.UID != "es-uid" {
				t.Errorf("controller of the Function = %+v", owner)
			}
			if f.Spec.Image != image {
				t.Errorf("image = %s", f.Spec.Image)
			}
		})
	}
}

func TestReconcileTrigger(t *testing.T) {
	tr := func() *ev.Trigger {
		return &ev.Trigger{ObjectMeta: metav1.ObjectMeta{Name: "tr", Namespace: "default", UID: "tr-uid"},
			Spec: ev.TriggerSpec{EventBus: "default", Inputs: map[string]*ev.Input{"A": {EventSource: "es", Event: "tick"}},
				Subscribers: []*ev.Subscriber{{Condition: "A", Topic: "out"}}}}
	}
	for _, tc := range []struct {
		name   string
		objs   []client.Object
		mutate func(*ev.Trigger)
		reason string
		msg    string
		fn     bool
	}{
		{name: "applied", objs: []client.Object{redisBus("default")}, reason: ev.ReasonFunctionNotReady, fn: true},
		{name: "no bus", reason: ev.ReasonEventBusNotFound},
		{name: "bad condition", objs: []client.Object{redisBus("default")}, mutate: func(t *ev.Trigger) { t.Spec.Subscribers[0].Condition = "A >= 1" },
			reason: ev.ReasonInvalidSpec, msg: "unsupported character '>'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trig := tr()
			if tc.mutate != nil {
				tc.mutate(trig)
			}
			c := newClient(t, nil, append(tc.objs, trig)...)
			r := &Reconciler{Client: c, HandlerImage: image}
			if _, err := r.ReconcileTrigger(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(trig)}); err != nil {
				t.Fatal(err)
			}
			var got ev.Trigger
			_ = c.Get(context.Background(), client.ObjectKeyFromObject(trig), &got)
			if cond := got.Status.GetCondition(ev.ConditionReady); cond == nil || cond.Reason != tc.reason || !strings.Contains(cond.Message, tc.msg) {
				t.Errorf("Ready = %+v, want %s %q", cond, tc.reason, tc.msg)
			}
			var f core.Function
			err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "trigger-tr"}, &f)
			if tc.fn != (err == nil) {
				t.Fatalf("handler Function: %v, want present=%v", err, tc.fn)
			}
			if tc.fn && (metav1.GetControllerOf(&f) == nil || metav1.GetControllerOf(&f).Kind != "Trigger") {
				t.Errorf("controller of the Function = %+v", metav1.GetControllerOf(&f))
			}
		})
	}
}

func TestReconcileGone(t *testing.T) {
	c := newClient(t, nil)
	r := &Reconciler{Client: c, HandlerImage: image}
	key := ctrl.Request{NamespacedName: client.ObjectKey{Namespace: "default", Name: "gone"}}
	if _, err := r.ReconcileEventSource(context.Background(), key); err != nil {
		t.Errorf("eventsource: %v", err)
	}
	if _, err := r.ReconcileTrigger(context.Background(), key); err != nil {
		t.Errorf("trigger: %v", err)
	}
	c = newClient(t, []failure{{"get", "Trigger", apierrors.NewForbidden(schema.GroupResource{}, "tr", errors.New("no"))}})
	r = &Reconciler{Client: c, HandlerImage: image}
	if _, err := r.ReconcileTrigger(context.Background(), key); !apierrors.IsForbidden(err) {
		t.Errorf("forbidden read: %v", err)
	}
}

func TestBusUsers(t *testing.T) {
	other := cronSource()
	other.Name, other.Spec.EventBus, other.Spec.Sink = "sink-only", "", &ev.SinkSpec{URI: ptr("http://x")}
	c := newClient(t, nil, cronSource(), other)
	r := &Reconciler{Client: c}
	got, err := r.eventSourcesIn(context.Background(), "")
	if err != nil || len(got) != 1 || got[0].Name != "es" {
		t.Errorf("eventSourcesIn = %v, %v; want [default/es]", got, err)
	}
}

func ptr[T any](v T) *T { return &v }
