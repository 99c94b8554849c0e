package v1alpha1

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"kiln.dev/kiln/controller/api/events/condition"
)

// Validate collects every problem of the EventSource with its field path.
func (es *EventSource) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	s := es.Spec
	var errs field.ErrorList
	n := 0
	for _, name := range slices.Sorted(maps.Keys(s.Kafka)) {
		p := spec.Child("kafka").Key(name)
		errs = append(errs, validateEventName(name, p)...)
		k := s.Kafka[name]
		if k == nil || strings.TrimSpace(k.Brokers) == "" {
			errs = append(errs, field.Required(p.Child("brokers"), "comma-separated host:port list, e.g. kafka:9092"))
		}
		if k != nil && k.Topic == "" {
			errs = append(errs, field.Required(p.Child("topic"), "the Kafka topic to read"))
		}
		if k != nil && k.AuthRequired && (k.SaslUsername == nil || k.SaslPassword == nil) {
			errs = append(errs, field.Required(p.Child("saslUsername"), "authRequired needs saslUsername and saslPassword"))
		}
		n++
	}
	for _, name := range slices.Sorted(maps.Keys(s.Cron)) {
		p := spec.Child("cron").Key(name)
		errs = append(errs, validateEventName(name, p)...)
		if c := s.Cron[name]; c == nil || strings.TrimSpace(c.Schedule) == "" {
			errs = append(errs, field.Required(p.Child("schedule"), `a cron expression or "@every 2s"`))
		}
		n++
	}
	for _, name := range slices.Sorted(maps.Keys(s.Redis)) {
		p := spec.Child("redis").Key(name)
		errs = append(errs, validateEventName(name, p)...)
		if r := s.Redis[name]; r == nil || r.RedisHost == "" {
			errs = append(errs, field.Required(p.Child("redisHost"), "host:port of the Redis server, e.g. redis:6379"))
		}
		n++
	}
	for _, name := range slices.Sorted(maps.Keys(s.Mqtt)) {
		p := spec.Child("mqtt").Key(name)
		errs = append(errs, validateEventName(name, p)...)
		m := s.Mqtt[name]
		if m == nil || m.URL == "" {
			errs = append(errs, field.Required(p.Child("url"), "the broker URL, e.g. tcp://mosquitto:1883"))
		}
		if m == nil || m.Topic == "" {
			errs = append(errs, field.Required(p.Child("topic"), "the MQTT topic to read"))
		}
		if m != nil && m.Qos != nil && (*m.Qos < 0 || *m.Qos > 2) {
			errs = append(errs, field.Invalid(p.Child("qos"), *m.Qos, "must be 0, 1 or 2"))
		}
		n++
	}
	if n == 0 {
		errs = append(errs, field.Required(spec, "at least one source: kafka, cron, redis or mqtt"))
	}
	if s.EventBus == "" && s.Sink == nil {
		errs = append(errs, field.Required(spec, "eventBus or sink: where the events go"))
	}
	if s.Sink != nil {
		errs = append(errs, validateSink(s.Sink, spec.Child("sink"))...)
	}
	return errs
}

// Validate collects every problem of the bus spec.
func (s *EventBusSpec) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	var errs field.ErrorList
	switch {
	case s.Redis == nil && s.Kafka == nil:
		errs = append(errs, field.Required(spec, "one backend: redis (Redis Streams) or kafka"))
	case s.Redis != nil && s.Kafka != nil:
		errs = append(errs, field.Forbidden(spec.Child("kafka"), "one backend only: redis or kafka, not both"))
	case s.Redis != nil && s.Redis.RedisHost == "":
		errs = append(errs, field.Required(spec.Child("redis", "redisHost"), "host:port of the Redis server, e.g. redis:6379"))
	case s.Kafka != nil && strings.TrimSpace(s.Kafka.Brokers) == "":
		errs = append(errs, field.Required(spec.Child("kafka", "brokers"), "comma-separated host:port list, e.g. kafka:9092"))
	case s.Kafka != nil && s.Kafka.AuthRequired && (s.Kafka.SaslUsername == nil || s.Kafka.SaslPassword == nil):
		errs = append(errs, field.Required(spec.Child("kafka", "saslUsername"), "authRequired needs saslUsername and saslPassword"))
	}
	return errs
}

// Validate collects every problem of the Trigger, conditions included.
func (t *Trigger) Validate() field.ErrorList {
	spec := field.NewPath("spec")
	s := t.Spec
	var errs field.ErrorList
	if s.EventBus == "" {
		errs = append(errs, field.Required(spec.Child("eventBus"), "the EventBus or ClusterEventBus to read from"))
	}
	if len(s.Inputs) == 0 {
		errs = append(errs, field.Required(spec.Child("inputs"), "at least one input: {name: {eventSource: ..., event: ...}}"))
	}
	names := slices.Sorted(maps.Keys(s.Inputs))
	for _, name := range names {
		p := spec.Child("inputs").Key(name)
		in := s.Inputs[name]
		if msgs := validation.IsCIdentifier(name); len(msgs) > 0 {
			errs = append(errs, field.Invalid(p, name, "input names are used in conditions: "+strings.Join(msgs, "; ")))
		}
		if in == nil || in.EventSource == "" {
			errs = append(errs, field.Required(p.Child("eventSource"), "the EventSource's name"))
		}
		if in == nil || in.Event == "" {
			errs = append(errs, field.Required(p.Child("event"), "the event name (a key of the EventSource's kafka/cron/redis/mqtt)"))
		}
	}
	if len(s.Subscribers) == 0 {
		errs = append(errs, field.Required(spec.Child("subscribers"), "at least one subscriber"))
	}
	for i, sub := range s.Subscribers {
		p := spec.Child("subscribers").Index(i)
		if sub == nil {
			errs = append(errs, field.Required(p, ""))
			continue
		}
		if _, err := condition.Parse(sub.Condition, names); err != nil {
			errs = append(errs, field.Invalid(p.Child("condition"), sub.Condition, err.Error()))
		}
		if sub.Sink == nil && sub.Topic == "" {
			errs = append(errs, field.Required(p, "sink or topic: where matching events go"))
		}
		if sub.Sink != nil {
			errs = append(errs, validateSink(sub.Sink, p.Child("sink"))...)
		}
		errs = append(errs, validateTopic(sub.Topic, p.Child("topic"))...)
		errs = append(errs, validateTopic(sub.DeadLetterTopic, p.Child("deadLetterTopic"))...)
		if sub.DeadLetterSink != nil {
			errs = append(errs, validateSink(sub.DeadLetterSink, p.Child("deadLetterSink"))...)
		}
	}
	return errs
}

// ValidateOnClusterBus collects what a Trigger may not do on ClusterEventBus
// bus, which every namespace shares: publish (topic, deadLetterTopic)
// outside its namespace's topic space (TopicPrefix), or read another
// namespace's EventSources (inputs[].namespace). On a namespaced EventBus,
// which carries its namespace's own credentials, both are allowed.
func (t *Trigger) ValidateOnClusterBus(bus string) field.ErrorList {
	spec := field.NewPath("spec")
	prefix := TopicPrefix(t.Namespace)
	var errs field.ErrorList
	for _, name := range slices.Sorted(maps.Keys(t.Spec.Inputs)) {
		in := t.Spec.Inputs[name]
		if in != nil && in.Namespace != "" && in.Namespace != t.Namespace {
			errs = append(errs, field.Forbidden(spec.Child("inputs").Key(name).Child("namespace"), fmt.Sprintf(
				"%q: on ClusterEventBus %s a Trigger reads only EventSources of its own namespace (%s): remove namespace, or move the Trigger to namespace %s",
				in.Namespace, bus, t.Namespace, in.Namespace)))
		}
	}
	for i, sub := range t.Spec.Subscribers {
		if sub == nil {
			continue
		}
		p := spec.Child("subscribers").Index(i)
		for _, f := range []struct{ name, topic string }{{"topic", sub.Topic}, {"deadLetterTopic", sub.DeadLetterTopic}} {
			if f.topic != "" && !InTopicSpace(t.Namespace, f.topic) {
				errs = append(errs, field.Forbidden(p.Child(f.name), fmt.Sprintf(
					"%q: on ClusterEventBus %s a Trigger of namespace %s publishes only to topics starting with %q, e.g. %q",
					f.topic, bus, t.Namespace, prefix, prefix+f.topic)))
			}
		}
	}
	return errs
}

// Sink kinds a reference may name.
var sinkKinds = map[string]string{
	"core.kiln.dev/v1alpha1|Function":       "",
	"serving.knative.dev/v1|Service":        "",
	"core.openfunction.io/v1beta2|Function": "convert it with `kiln convert` and reference core.kiln.dev/v1alpha1",
}

func validateSink(s *SinkSpec, p *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case s.Ref == nil && s.URI == nil:
		errs = append(errs, field.Required(p, "ref (a Function or Knative Service) or uri"))
	case s.Ref != nil && s.URI != nil:
		errs = append(errs, field.Forbidden(p.Child("uri"), "ref or uri, not both"))
	case s.URI != nil && !strings.HasPrefix(*s.URI, "http://") && !strings.HasPrefix(*s.URI, "https://"):
		errs = append(errs, field.Invalid(p.Child("uri"), *s.URI, "want an http:// or https:// URL"))
	case s.Ref != nil:
		r := s.Ref
		hint, ok := sinkKinds[r.APIVersion+"|"+r.Kind]
		if !ok || hint != "" {
			if hint == "" {
				hint = "want kind Function (apiVersion core.kiln.dev/v1alpha1) or Service (serving.knative.dev/v1)"
			}
			errs = append(errs, field.NotSupported(p.Child("ref"), r.APIVersion+" "+r.Kind, []string{"core.kiln.dev/v1alpha1 Function", "serving.knative.dev/v1 Service"}))
			errs[len(errs)-1].Detail += ": " + hint
		}
		if r.Name == "" {
			errs = append(errs, field.Required(p.Child("ref", "name"), ""))
		}
	}
	return errs
}

// topicChars are the characters Kafka allows in a topic name.
func topicChars(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
}

func validateTopic(topic string, p *field.Path) field.ErrorList {
	switch {
	case topic == "":
		return nil
	case len(topic) > MaxTopicLength:
		return field.ErrorList{field.TooLong(p, topic, MaxTopicLength)}
	case strings.IndexFunc(topic, func(r rune) bool { return !topicChars(r) }) >= 0:
		return field.ErrorList{field.Invalid(p, topic, "a bus topic uses only letters, digits, '.', '_' and '-'")}
	}
	return nil
}

func validateEventName(name string, p *field.Path) field.ErrorList {
	if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
		return field.ErrorList{field.Invalid(p, name, "event names become topic and component names: "+strings.Join(msgs, "; "))}
	}
	return nil
}
