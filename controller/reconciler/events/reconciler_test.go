package events

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
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

// readyFunction is a handler Function the EventSource es controls.
func readyFunction(name string, ready metav1.ConditionStatus) *core.Function {
	return &core.Function{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default", OwnerReferences: []metav1.OwnerReference{
		{APIVersion: ev.GroupVersion.String(), Kind: "EventSource", Name: "es", UID: "es-uid", Controller: ptr(true)}}},
		Spec: core.FunctionSpec{Image: image},
		Status: core.FunctionStatus{Conditions: []metav1.Condition{{Type: core.ConditionReady, Status: ready,
			Reason: "R", Message: "serving", LastTransitionTime: metav1.Now()}}}}
}

var errBoom = apierrors.NewInternalError(errors.New("boom"))

const busPassword = "bus-password-7f3a"

func redisBusWithPassword(name string) *ev.EventBus {
	b := redisBus(name)
	b.Spec.Redis.RedisPassword = busPassword
	return b
}

// usersFunction is a Function of the name a handler needs, made by a user
// (no controller) or controlled by the object of UID by.
func usersFunction(name, by string) *core.Function {
	f := &core.Function{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Spec: core.FunctionSpec{Image: "users/own:image"}}
	if by != "" {
		f.OwnerReferences = []metav1.OwnerReference{{APIVersion: ev.GroupVersion.String(), Kind: "EventSource", Name: "other", UID: types.UID(by), Controller: ptr(true)}}
	}
	return f
}

// secret is a Secret of the name a handler needs, controlled by the object
// of UID by ("" for none).
func secret(name, by string) *corev1.Secret {
	s := &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Data: map[string][]byte{"users": []byte("own")}}
	if by != "" {
		s.OwnerReferences = []metav1.OwnerReference{{APIVersion: ev.GroupVersion.String(), Kind: "EventSource", Name: "es", UID: types.UID(by), Controller: ptr(true)}}
	}
	return s
}

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
		check    func(t *testing.T, c client.Client)
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
		{name: "bus password in a Secret", objs: []client.Object{redisBusWithPassword("default")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, busType: "pubsub.redis", check: passwordInSecretOnly},
		{name: "function name taken by a user", objs: []client.Object{redisBus("default"), usersFunction("eventsource-es", "")},
			reason: ev.ReasonFunctionNameTaken, status: metav1.ConditionFalse,
			msg:   "Function eventsource-es exists and is not controlled by EventSource es: the handler of EventSource es needs that name; rename or delete that Function, or rename the EventSource",
			check: untouchedFunction},
		{name: "function name taken by another EventSource", objs: []client.Object{redisBus("default"), usersFunction("eventsource-es", "other-uid")},
			reason: ev.ReasonFunctionNameTaken, status: metav1.ConditionFalse, msg: "Function eventsource-es exists and is controlled by EventSource other",
			check: untouchedFunction},
		{name: "function read fails", objs: []client.Object{redisBus("default")}, failures: []failure{{"get", "Function", errBoom}},
			wantErr: "eventsource default/es: Function eventsource-es: reading: Internal error occurred: boom"},
		{name: "secret name taken by a user", objs: []client.Object{redisBusWithPassword("default"), secret("eventsource-es", "")},
			reason: ev.ReasonSecretNameTaken, status: metav1.ConditionFalse, msg: "Secret eventsource-es exists and is not controlled by EventSource es",
			check: untouchedSecret},
		{name: "secret read fails", objs: []client.Object{redisBusWithPassword("default")}, failures: []failure{{"get", "Secret", errBoom}},
			wantErr: "eventsource default/es: Secret eventsource-es: reading"},
		{name: "secret apply fails", objs: []client.Object{redisBusWithPassword("default")}, failures: []failure{{"apply", "Secret", errBoom}},
			wantErr: "boom", reason: ev.ReasonApplyFailed, status: metav1.ConditionFalse, msg: "applying handler Secret eventsource-es: Internal error"},
		{name: "password removed: its Secret goes", objs: []client.Object{redisBus("default"), secret("eventsource-es", "es-uid")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, busType: "pubsub.redis", check: noSecret},
		{name: "no password, a user's Secret of the name stays", objs: []client.Object{redisBus("default"), secret("eventsource-es", "")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, busType: "pubsub.redis", check: untouchedSecret},
		{name: "secret delete fails", objs: []client.Object{redisBus("default"), secret("eventsource-es", "es-uid")},
			failures: []failure{{"delete", "Secret", errBoom}}, wantErr: "deleting eventsource-es",
			reason: ev.ReasonApplyFailed, status: metav1.ConditionFalse, msg: "deleting the handler's stale Secret eventsource-es",
			// The Function that no longer names it is applied first: daprd
			// would fail to load a Component whose Secret is gone.
			busType: "pubsub.redis"},
		{name: "password changed: the Secret is updated in place", objs: []client.Object{redisBusWithPassword("default"), secret("eventsource-es", "es-uid")},
			reason: ev.ReasonFunctionNotReady, status: metav1.ConditionUnknown, busType: "pubsub.redis", check: passwordInSecretOnly},
		{name: "a Function of the name appears between the check and the write", objs: []client.Object{redisBus("default")},
			failures: []failure{{"create", "Function", apierrors.NewAlreadyExists(core.GroupVersion.WithResource("functions").GroupResource(), "eventsource-es")}},
			wantErr:  "already exists", reason: ev.ReasonApplyFailed, status: metav1.ConditionFalse, msg: "applying handler Function eventsource-es"},
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
			if tc.check != nil {
				tc.check(t, c)
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

// passwordInSecretOnly: the bus password is in the handler's Secret, owned
// by the EventSource, referenced by the bus Component, stamped on the pods
// by the Secret's version, and nowhere in the Function.
func passwordInSecretOnly(t *testing.T, c client.Client) {
	var s corev1.Secret
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &s); err != nil {
		t.Fatalf("handler Secret: %v", err)
	}
	if owner := metav1.GetControllerOf(&s); owner == nil || owner.UID != "es-uid" {
		t.Errorf("controller of the Secret = %+v", owner)
	}
	if string(s.Data["eventbus-redisPassword"]) != busPassword {
		t.Errorf("Secret data = %v", s.Data)
	}
	var f core.Function
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &f); err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f.Spec)
	if strings.Contains(string(b), busPassword) {
		t.Errorf("the password is in the Function's spec: %s", b)
	}
	var ref *core.SecretKeyRef
	for _, m := range f.Spec.Serving.Pubsub["eventbus"].Metadata {
		if m.Name == "redisPassword" {
			ref = m.SecretKeyRef
		}
	}
	if ref == nil || ref.Name != "eventsource-es" || ref.Key != "eventbus-redisPassword" {
		t.Errorf("redisPassword of the bus Component: secretKeyRef %+v", ref)
	}
	if v := f.Spec.Serving.Annotations[AnnotationCredentialsVersion]; v == "" || v != s.ResourceVersion {
		t.Errorf("%s = %q, want the Secret's resourceVersion %q", AnnotationCredentialsVersion, v, s.ResourceVersion)
	}
}

func untouchedFunction(t *testing.T, c client.Client) {
	var f core.Function
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &f); err != nil {
		t.Fatal(err)
	}
	if f.Spec.Image != "users/own:image" || f.Spec.Serving != nil || len(f.OwnerReferences) > 1 {
		t.Errorf("the user's Function was changed: image %s, serving %+v, owners %+v", f.Spec.Image, f.Spec.Serving, f.OwnerReferences)
	}
}

func untouchedSecret(t *testing.T, c client.Client) {
	var s corev1.Secret
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Data) != 1 || string(s.Data["users"]) != "own" || len(s.OwnerReferences) != 0 {
		t.Errorf("the user's Secret was changed: %v, owners %+v", s.Data, s.OwnerReferences)
	}
}

func noSecret(t *testing.T, c client.Client) {
	err := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "eventsource-es"}, &corev1.Secret{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("the handler's old Secret: %v, want it deleted", err)
	}
}

func redisClusterBus(name string) *ev.ClusterEventBus {
	return &ev.ClusterEventBus{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: ev.EventBusSpec{Redis: &ev.RedisBusSpec{RedisHost: "redis:6379", RedisPassword: busPassword}}}
}

// triggerFunction is the handler Function of Trigger tr, as applied before.
func triggerFunction() *core.Function {
	return &core.Function{ObjectMeta: metav1.ObjectMeta{Name: "trigger-tr", Namespace: "default", OwnerReferences: []metav1.OwnerReference{
		{APIVersion: ev.GroupVersion.String(), Kind: "Trigger", Name: "tr", UID: "tr-uid", Controller: ptr(true)}}},
		Spec: core.FunctionSpec{Image: image}}
}

func TestReconcileTrigger(t *testing.T) {
	tr := func() *ev.Trigger {
		return &ev.Trigger{ObjectMeta: metav1.ObjectMeta{Name: "tr", Namespace: "default", UID: "tr-uid"},
			Spec: ev.TriggerSpec{EventBus: "default", Inputs: map[string]*ev.Input{"A": {EventSource: "es", Event: "tick"}},
				Subscribers: []*ev.Subscriber{{Condition: "A", Topic: "out"}}}}
	}
	ownTopics := func(t *ev.Trigger) {
		t.Spec.Subscribers[0].Topic, t.Spec.Subscribers[0].DeadLetterTopic = "default.out", "default.dead"
	}
	for _, tc := range []struct {
		name     string
		objs     []client.Object
		failures []failure
		mutate   func(*ev.Trigger)
		reason   string
		msg      string
		wantErr  string
		fn       bool // the handler Function exists afterwards
		secret   bool // and its Secret
	}{
		{name: "applied", objs: []client.Object{redisBus("default")}, reason: ev.ReasonFunctionNotReady, fn: true},
		{name: "no bus", reason: ev.ReasonEventBusNotFound},
		{name: "bad condition", objs: []client.Object{redisBus("default")}, mutate: func(t *ev.Trigger) { t.Spec.Subscribers[0].Condition = "A >= 1" },
			reason: ev.ReasonInvalidSpec, msg: "unsupported character '>'"},
		{name: "namespaced bus: any topic, other namespaces' sources", objs: []client.Object{redisBus("default")},
			mutate: func(t *ev.Trigger) { t.Spec.Inputs["A"].Namespace = "other" }, reason: ev.ReasonFunctionNotReady, fn: true},
		{name: "cluster bus: own topics", objs: []client.Object{redisClusterBus("default")}, mutate: ownTopics,
			reason: ev.ReasonFunctionNotReady, fn: true, secret: true},
		{name: "cluster bus: topic outside the namespace", objs: []client.Object{redisClusterBus("default")},
			reason: ev.ReasonTopicForbidden,
			msg:    `ClusterEventBus default is shared by every namespace: spec.subscribers[0].topic: Forbidden: "out": on ClusterEventBus default a Trigger of namespace default publishes only to topics starting with "default.", e.g. "default.out"`},
		{name: "cluster bus: dead-letter topic of another namespace", objs: []client.Object{redisClusterBus("default")},
			mutate: func(t *ev.Trigger) { ownTopics(t); t.Spec.Subscribers[0].DeadLetterTopic = "team-b.es.tick" },
			reason: ev.ReasonTopicForbidden, msg: `spec.subscribers[0].deadLetterTopic: Forbidden: "team-b.es.tick"`},
		{name: "cluster bus: another namespace's source", objs: []client.Object{redisClusterBus("default")},
			mutate: func(t *ev.Trigger) { ownTopics(t); t.Spec.Inputs["A"].Namespace = "team-b" },
			reason: ev.ReasonTopicForbidden, msg: `spec.inputs[A].namespace: Forbidden: "team-b"`},
		{name: "cluster bus: what ran before stops", mutate: func(t *ev.Trigger) { t.Spec.Subscribers[0].Topic = "team-b.es.tick" },
			objs:   []client.Object{redisClusterBus("default"), triggerFunction(), secret("trigger-tr", "tr-uid")},
			reason: ev.ReasonTopicForbidden, msg: `"team-b.es.tick"`},
		{name: "cluster bus: stopping fails", failures: []failure{{"delete", "Function", errBoom}},
			objs:   []client.Object{redisClusterBus("default"), triggerFunction()},
			reason: ev.ReasonTopicForbidden, wantErr: "trigger default/tr: deleting trigger-tr: Internal error occurred: boom", fn: true},
		{name: "cluster bus: a user's Function of the name is not stopped", objs: []client.Object{redisClusterBus("default"), usersFunction("trigger-tr", "")},
			reason: ev.ReasonTopicForbidden, fn: true},
		{name: "function name taken", objs: []client.Object{redisBus("default"), usersFunction("trigger-tr", "es-uid")},
			reason: ev.ReasonFunctionNameTaken, msg: "Function trigger-tr exists and is controlled by EventSource other: the handler of Trigger tr needs that name", fn: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trig := tr()
			if tc.mutate != nil {
				tc.mutate(trig)
			}
			c := newClient(t, tc.failures, append(tc.objs, trig)...)
			r := &Reconciler{Client: c, HandlerImage: image}
			_, err := r.ReconcileTrigger(context.Background(), ctrl.Request{NamespacedName: client.ObjectKeyFromObject(trig)})
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			var got ev.Trigger
			_ = c.Get(context.Background(), client.ObjectKeyFromObject(trig), &got)
			if cond := got.Status.GetCondition(ev.ConditionReady); cond == nil || cond.Reason != tc.reason || !strings.Contains(cond.Message, tc.msg) {
				t.Errorf("Ready = %+v, want %s %q", cond, tc.reason, tc.msg)
			}
			var f core.Function
			err = c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "trigger-tr"}, &f)
			if tc.fn != (err == nil) {
				t.Fatalf("handler Function: %v, want present=%v", err, tc.fn)
			}
			serr := c.Get(context.Background(), client.ObjectKey{Namespace: "default", Name: "trigger-tr"}, &corev1.Secret{})
			if tc.secret != (serr == nil) {
				t.Errorf("handler Secret: %v, want present=%v", serr, tc.secret)
			}
			if tc.fn && tc.reason == ev.ReasonFunctionNotReady && (metav1.GetControllerOf(&f) == nil || metav1.GetControllerOf(&f).Kind != "Trigger") {
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
