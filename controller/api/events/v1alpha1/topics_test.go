package v1alpha1

import (
	"strings"
	"testing"
)

// TestTopicName: topics of different (namespace, eventsource, event)
// triples differ, including the pairs OpenFunction's dash-joined names
// collide on, and every topic fits MaxTopicLength and keeps its namespace's
// prefix.
func TestTopicName(t *testing.T) {
	long := strings.Repeat("s", 253)
	for _, tc := range []struct {
		name     string
		a, b     [3]string // namespace, eventsource, event
		wantA    string    // "" = not checked
		sameWant bool
	}{
		{name: "namespace a-b source c vs namespace a source b-c", a: [3]string{"a-b", "c", "tick"}, b: [3]string{"a", "b-c", "tick"}, wantA: "a-b.c.tick"},
		{name: "source a-b event c vs source a event b-c", a: [3]string{"ns", "a-b", "c"}, b: [3]string{"ns", "a", "b-c"}, wantA: "ns.a-b.c"},
		{name: "dotted source vs dotted split", a: [3]string{"ns", "a.b", "c"}, b: [3]string{"ns", "a", "b-c"}, wantA: "ns.a.b.c"},
		{name: "same triple", a: [3]string{"ns", "es", "tick"}, b: [3]string{"ns", "es", "tick"}, wantA: "ns.es.tick", sameWant: true},
		{name: "long sources differing only at the end", a: [3]string{"ns", long, "a"}, b: [3]string{"ns", long, "b"}},
		{name: "long source in two namespaces", a: [3]string{"a-b", long, "e"}, b: [3]string{"a", "b-" + long[2:], "e"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := TopicName(tc.a[0], tc.a[1], tc.a[2]), TopicName(tc.b[0], tc.b[1], tc.b[2])
			if (a == b) != tc.sameWant {
				t.Errorf("TopicName%v = %q, TopicName%v = %q: same = %v, want %v", tc.a, a, tc.b, b, a == b, tc.sameWant)
			}
			if tc.wantA != "" && a != tc.wantA {
				t.Errorf("TopicName%v = %q, want %q", tc.a, a, tc.wantA)
			}
			for i, topic := range []string{a, b} {
				ns := [][3]string{tc.a, tc.b}[i][0]
				if len(topic) > MaxTopicLength {
					t.Errorf("%q: %d characters, want <= %d", topic, len(topic), MaxTopicLength)
				}
				if !InTopicSpace(ns, topic) {
					t.Errorf("%q is outside namespace %s's topic space", topic, ns)
				}
				if errs := validateTopic(topic, nil); len(errs) > 0 {
					t.Errorf("%q: %v", topic, errs.ToAggregate())
				}
			}
		})
	}
	if got := TopicName("ns", long, "e"); len(got) != MaxTopicLength || !strings.Contains(got, "_") {
		t.Errorf("long topic %q (%d characters): want %d, shortened with _<hash>", got, len(got), MaxTopicLength)
	}
}

func TestConsumerGroup(t *testing.T) {
	// A Trigger "trigger-x" of namespace "a" and a Trigger "x" of namespace
	// "a-trigger" must not share a consumer group.
	if a, b := ConsumerGroup("a", "trigger-trigger-x"), ConsumerGroup("a-trigger", "trigger-x"); a == b {
		t.Errorf("consumer groups collide: %q", a)
	}
}
