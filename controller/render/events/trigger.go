package events

import (
	"fmt"
	"sort"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// TriggerFunctionName is the handler Function of Trigger name.
func TriggerFunctionName(name string) string { return "trigger-" + name }

// TriggerHandler is the async Function that runs t: subscribed to the bus
// topic of each input, it evaluates every subscriber's condition over each
// event and sends the matching ones to the subscriber's sink (HTTP) or
// topic (the bus); and the Secret of the bus's password. bus is the
// resolved EventBus or ClusterEventBus spec. Whether t may use those topics
// on a ClusterEventBus is the caller's check (Trigger.ValidateOnClusterBus).
func TriggerHandler(t *ev.Trigger, bus *ev.EventBusSpec, image string) (*Handler, error) {
	if bus == nil {
		return nil, fmt.Errorf("trigger %s: spec.eventBus %q: no bus", t.Name, t.Spec.EventBus)
	}
	f := handlerFunction(TriggerFunctionName(t.Name), t.Namespace, image, LabelTrigger, t.Name)
	v := f.Spec.Serving
	creds := newCredentials(f)
	c := busComponent(bus, ev.ConsumerGroup(t.Namespace, f.Name), creds)
	if c == nil {
		return nil, fmt.Errorf("trigger %s: eventbus %s: no backend (spec.redis or spec.kafka)", t.Name, t.Spec.EventBus)
	}
	v.Pubsub[BusKey] = c
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindTrigger, Namespace: t.Namespace, Name: t.Name,
		PubSub: render.ComponentName(f, BusKey)}
	names := make([]string, 0, len(t.Spec.Inputs))
	for n := range t.Spec.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		in := t.Spec.Inputs[n]
		ns := in.Namespace
		if ns == "" {
			ns = t.Namespace
		}
		topic := ev.TopicName(ns, in.EventSource, in.Event)
		v.Triggers.Dapr = append(v.Triggers.Dapr, &core.DaprTrigger{Name: BusKey, Type: c.Type, Topic: topic})
		cfg.Inputs = append(cfg.Inputs, handlerconfig.Input{Name: n, Topic: topic, Route: "/inputs/" + n})
	}
	published := map[string]bool{}
	publish := func(topic string) {
		if topic != "" && !published[topic] {
			published[topic] = true
			v.Outputs = append(v.Outputs, &core.Output{Dapr: &core.DaprOutput{DaprIO: core.DaprIO{Name: BusKey, Type: c.Type, Topic: topic}}})
		}
	}
	for i, s := range t.Spec.Subscribers {
		sink, err := SinkURL(s.Sink, t.Namespace)
		if err != nil {
			return nil, fmt.Errorf("trigger %s: spec.subscribers[%d].sink: %w", t.Name, i, err)
		}
		dl, err := SinkURL(s.DeadLetterSink, t.Namespace)
		if err != nil {
			return nil, fmt.Errorf("trigger %s: spec.subscribers[%d].deadLetterSink: %w", t.Name, i, err)
		}
		publish(s.Topic)
		publish(s.DeadLetterTopic)
		cfg.Subscribers = append(cfg.Subscribers, handlerconfig.Subscriber{Condition: s.Condition, SinkURL: sink,
			DeadLetterSinkURL: dl, Topic: s.Topic, DeadLetterTopic: s.DeadLetterTopic})
	}
	if t.Spec.LogLevel != nil {
		v.Params["LOG_LEVEL"] = *t.Spec.LogLevel
	}
	return finish(f, cfg, creds), nil
}
