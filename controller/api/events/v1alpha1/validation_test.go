package v1alpha1

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func ptr[T any](v T) *T { return &v }

func TestEventSourceValidate(t *testing.T) {
	ok := func() *EventSource {
		return &EventSource{Spec: EventSourceSpec{EventBus: "default",
			Cron:  map[string]*CronSpec{"tick": {Schedule: "@every 2s"}},
			Kafka: map[string]*KafkaSpec{"orders": {Brokers: "kafka:9092", Topic: "orders"}}}}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*EventSource)
		want   []string // substrings of the aggregated error; empty = valid
	}{
		{"valid", func(*EventSource) {}, nil},
		{"sink uri only", func(es *EventSource) {
			es.Spec.EventBus = ""
			es.Spec.Sink = &SinkSpec{URI: ptr("http://sink.default.svc")}
		}, nil},
		{"sink function ref", func(es *EventSource) {
			es.Spec.Sink = &SinkSpec{Ref: &Reference{APIVersion: "core.kiln.dev/v1alpha1", Kind: "Function", Name: "f"}}
		}, nil},
		{"no sources", func(es *EventSource) { es.Spec.Cron, es.Spec.Kafka = nil, nil }, []string{"spec: Required value: at least one source"}},
		{"no destination", func(es *EventSource) { es.Spec.EventBus = "" }, []string{"eventBus or sink"}},
		{"every field at fault", func(es *EventSource) {
			es.Spec.Cron["Bad_Name"] = &CronSpec{}
			es.Spec.Kafka["orders"] = &KafkaSpec{AuthRequired: true}
			es.Spec.Redis = map[string]*RedisSpec{"r": {}}
			es.Spec.Mqtt = map[string]*MQTTSpec{"m": {Qos: ptr(int64(3))}}
		}, []string{`spec.cron[Bad_Name]: Invalid value`, `spec.cron[Bad_Name].schedule: Required`,
			`spec.kafka[orders].brokers: Required`, `spec.kafka[orders].topic: Required`, `spec.kafka[orders].saslUsername: Required`,
			`spec.redis[r].redisHost: Required`, `spec.mqtt[m].url: Required`, `spec.mqtt[m].topic: Required`, `spec.mqtt[m].qos: Invalid value: 3`}},
		{"nil source entries", func(es *EventSource) {
			es.Spec.Cron["n"] = nil
			es.Spec.Kafka["k"] = nil
		}, []string{"spec.cron[n].schedule: Required", "spec.kafka[k].brokers: Required"}},
		{"sink both", func(es *EventSource) {
			es.Spec.Sink = &SinkSpec{URI: ptr("http://x"), Ref: &Reference{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "s"}}
		}, []string{"spec.sink.uri: Forbidden"}},
		{"sink bad uri", func(es *EventSource) { es.Spec.Sink = &SinkSpec{URI: ptr("ftp://x")} }, []string{"spec.sink.uri: Invalid value"}},
		{"sink empty", func(es *EventSource) { es.Spec.Sink = &SinkSpec{} }, []string{"spec.sink: Required"}},
		{"sink openfunction ref", func(es *EventSource) {
			es.Spec.Sink = &SinkSpec{Ref: &Reference{APIVersion: "core.openfunction.io/v1beta2", Kind: "Function"}}
		}, []string{"spec.sink.ref: Unsupported value", "kiln convert", "spec.sink.ref.name: Required"}},
		{"sink unknown kind", func(es *EventSource) {
			es.Spec.Sink = &SinkSpec{Ref: &Reference{APIVersion: "v1", Kind: "Pod", Name: "p"}}
		}, []string{"spec.sink.ref: Unsupported value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es := ok()
			tc.mutate(es)
			check(t, es.Validate().ToAggregate(), tc.want)
		})
	}
}

func TestEventBusValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		spec EventBusSpec
		want []string
	}{
		{"redis", EventBusSpec{Redis: &RedisBusSpec{RedisHost: "redis:6379"}}, nil},
		{"kafka", EventBusSpec{Kafka: &KafkaBusSpec{Brokers: "kafka:9092"}}, nil},
		{"none", EventBusSpec{Topic: "x"}, []string{"spec: Required value: one backend"}},
		{"both", EventBusSpec{Redis: &RedisBusSpec{RedisHost: "r"}, Kafka: &KafkaBusSpec{Brokers: "k"}}, []string{"spec.kafka: Forbidden"}},
		{"redis no host", EventBusSpec{Redis: &RedisBusSpec{}}, []string{"spec.redis.redisHost: Required"}},
		{"kafka no brokers", EventBusSpec{Kafka: &KafkaBusSpec{Brokers: " "}}, []string{"spec.kafka.brokers: Required"}},
		{"kafka auth", EventBusSpec{Kafka: &KafkaBusSpec{Brokers: "k", AuthRequired: true}}, []string{"spec.kafka.saslUsername: Required"}},
	} {
		t.Run(tc.name, func(t *testing.T) { check(t, tc.spec.Validate().ToAggregate(), tc.want) })
	}
}

func TestTriggerValidate(t *testing.T) {
	ok := func() *Trigger {
		return &Trigger{Spec: TriggerSpec{EventBus: "default",
			Inputs: map[string]*Input{"A": {EventSource: "es", Event: "tick"}, "B": {EventSource: "es", Event: "orders"}},
			Subscribers: []*Subscriber{
				{Condition: "A || B", Sink: &SinkSpec{Ref: &Reference{APIVersion: "serving.knative.dev/v1", Kind: "Service", Name: "sink"}}},
				{Condition: `A && type == "x"`, Topic: "metrics"},
			}}}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Trigger)
		want   []string
	}{
		{"valid", func(*Trigger) {}, nil},
		{"empty", func(tr *Trigger) { tr.Spec = TriggerSpec{} }, []string{"spec.eventBus: Required", "spec.inputs: Required", "spec.subscribers: Required"}},
		{"bad input", func(tr *Trigger) { tr.Spec.Inputs["my-input"] = &Input{}; tr.Spec.Inputs["C"] = nil },
			[]string{"spec.inputs[my-input]: Invalid value", "spec.inputs[my-input].eventSource: Required", "spec.inputs[C].event: Required"}},
		{"bad condition", func(tr *Trigger) { tr.Spec.Subscribers[0].Condition = "A || D" },
			[]string{`spec.subscribers[0].condition: Invalid value: "A || D"`, `"D" at 5 is not an input`}},
		{"no destination", func(tr *Trigger) { tr.Spec.Subscribers[1].Topic = "" }, []string{"spec.subscribers[1]: Required value: sink or topic"}},
		{"nil subscriber", func(tr *Trigger) { tr.Spec.Subscribers = append(tr.Spec.Subscribers, nil) }, []string{"spec.subscribers[2]: Required"}},
		{"bad dead letter", func(tr *Trigger) { tr.Spec.Subscribers[1].DeadLetterSink = &SinkSpec{} }, []string{"spec.subscribers[1].deadLetterSink: Required"}},
		{"bad topics", func(tr *Trigger) {
			tr.Spec.Subscribers[1].Topic = "a topic"
			tr.Spec.Subscribers[1].DeadLetterTopic = strings.Repeat("x", MaxTopicLength+1)
		}, []string{`spec.subscribers[1].topic: Invalid value: "a topic": a bus topic uses only`,
			"spec.subscribers[1].deadLetterTopic: Too long: may not be more than 249"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := ok()
			tc.mutate(tr)
			check(t, tr.Validate().ToAggregate(), tc.want)
		})
	}
}

// TestTriggerValidateOnClusterBus: on a shared ClusterEventBus a Trigger
// publishes only into its namespace's topic space and reads only its
// namespace's EventSources; each refusal names the field and the prefix.
func TestTriggerValidateOnClusterBus(t *testing.T) {
	ok := func() *Trigger {
		return &Trigger{ObjectMeta: metav1.ObjectMeta{Name: "tr", Namespace: "team-a"}, Spec: TriggerSpec{EventBus: "shared",
			Inputs: map[string]*Input{"A": {EventSource: "es", Event: "tick"}, "B": {Namespace: "team-a", EventSource: "es", Event: "orders"}},
			Subscribers: []*Subscriber{
				{Condition: "A", Topic: "team-a.metrics", DeadLetterTopic: "team-a.es.tick"},
				{Condition: "B", Sink: &SinkSpec{URI: ptr("http://x")}},
				nil,
			}}}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*Trigger)
		want   []string
	}{
		{"own namespace", func(*Trigger) {}, nil},
		{"topic of no namespace", func(tr *Trigger) { tr.Spec.Subscribers[0].Topic = "metrics" },
			[]string{`spec.subscribers[0].topic: Forbidden: "metrics": on ClusterEventBus shared a Trigger of namespace team-a publishes only to topics starting with "team-a.", e.g. "team-a.metrics"`}},
		{"another namespace's source topic", func(tr *Trigger) { tr.Spec.Subscribers[0].DeadLetterTopic = "team-b.es.tick" },
			[]string{`spec.subscribers[0].deadLetterTopic: Forbidden: "team-b.es.tick"`, `starting with "team-a."`}},
		{"old-style prefix of a longer namespace", func(tr *Trigger) { tr.Spec.Subscribers[0].Topic = "team-a-b.es.tick" },
			[]string{`spec.subscribers[0].topic: Forbidden`}},
		{"the bare prefix", func(tr *Trigger) { tr.Spec.Subscribers[0].Topic = "team-a." }, []string{`spec.subscribers[0].topic: Forbidden`}},
		{"input of another namespace", func(tr *Trigger) { tr.Spec.Inputs["B"].Namespace = "team-b" },
			[]string{`spec.inputs[B].namespace: Forbidden: "team-b": on ClusterEventBus shared a Trigger reads only EventSources of its own namespace (team-a)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := ok()
			tc.mutate(tr)
			check(t, tr.ValidateOnClusterBus("shared").ToAggregate(), tc.want)
		})
	}
}

func check(t *testing.T, err error, want []string) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want valid, got %v", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("want errors %q, got none", want)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q\n lacks %q", err, w)
		}
	}
}
