package events

import (
	"fmt"
	"sort"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// EventSourceFunctionName is the handler Function of EventSource name.
func EventSourceFunctionName(name string) string { return "eventsource-" + name }

// EventSourceHandler is the async Function that runs es: one Dapr input
// (binding, or Redis Streams subscription) per source, publishing each
// event to the bus topic TopicName(ns, es, event) when bus is set and
// posting it to the sink when es has one; and the Secret of the bus's and
// sources' passwords. bus is the resolved EventBus or ClusterEventBus spec
// (nil when es.spec.eventBus is empty).
func EventSourceHandler(es *ev.EventSource, bus *ev.EventBusSpec, image string) (*Handler, error) {
	f := handlerFunction(EventSourceFunctionName(es.Name), es.Namespace, image, LabelEventSource, es.Name)
	v := f.Spec.Serving
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindEventSource, Namespace: es.Namespace, Name: es.Name}
	consumer := ev.ConsumerGroup(es.Namespace, f.Name)
	creds := newCredentials(f)
	if bus != nil {
		c := busComponent(bus, consumer, creds)
		if c == nil {
			return nil, fmt.Errorf("eventsource %s: eventbus %s: no backend (spec.redis or spec.kafka)", es.Name, es.Spec.EventBus)
		}
		v.Pubsub[BusKey] = c
		cfg.PubSub = render.ComponentName(f, BusKey)
	}
	url, err := SinkURL(es.Spec.Sink, es.Namespace)
	if err != nil {
		return nil, fmt.Errorf("eventsource %s: spec.sink: %w", es.Name, err)
	}
	cfg.SinkURL = url
	type src struct {
		kind, event string
		spec        any
	}
	var srcs []src
	for k, s := range es.Spec.Kafka {
		srcs = append(srcs, src{"kafka", k, s})
	}
	for k, s := range es.Spec.Cron {
		srcs = append(srcs, src{"cron", k, s})
	}
	for k, s := range es.Spec.Redis {
		srcs = append(srcs, src{"redis", k, s})
	}
	for k, s := range es.Spec.Mqtt {
		srcs = append(srcs, src{"mqtt", k, s})
	}
	sort.Slice(srcs, func(i, j int) bool {
		if srcs[i].kind != srcs[j].kind {
			return srcs[i].kind < srcs[j].kind
		}
		return srcs[i].event < srcs[j].event
	})
	for _, s := range srcs {
		key := s.kind + "-" + s.event
		route := "/sources/" + s.kind + "/" + s.event
		comp := sourceComponent(key, s.spec, consumer+"."+s.event, route, creds)
		if comp == nil {
			return nil, fmt.Errorf("eventsource %s: spec.%s[%s] is empty", es.Name, s.kind, s.event)
		}
		sc := handlerconfig.Source{Event: s.event, Kind: s.kind, Route: route}
		if bus != nil {
			sc.Topic = ev.TopicName(es.Namespace, es.Name, s.event)
			v.Outputs = append(v.Outputs, &core.Output{Dapr: &core.DaprOutput{DaprIO: core.DaprIO{Name: BusKey, Type: v.Pubsub[BusKey].Type, Topic: sc.Topic}}})
		}
		dt := &core.DaprTrigger{Name: key, Type: comp.Type}
		if s.kind == "redis" {
			v.Pubsub[key] = comp
			stream := s.spec.(*ev.RedisSpec).Stream
			if stream == "" {
				stream = s.event
			}
			dt.Topic = stream
			sc.SubscribePubSub, sc.SubscribeTopic = render.ComponentName(f, key), stream
		} else {
			v.Bindings[key] = comp
		}
		v.Triggers.Dapr = append(v.Triggers.Dapr, dt)
		cfg.Sources = append(cfg.Sources, sc)
	}
	if es.Spec.LogLevel != nil {
		v.Params["LOG_LEVEL"] = *es.Spec.LogLevel
	}
	return finish(f, cfg, creds), nil
}
