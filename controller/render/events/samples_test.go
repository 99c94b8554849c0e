package events

import (
	"bytes"
	"os"
	"testing"

	"sigs.k8s.io/yaml"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
)

// TestSampleRenders: controller/config/samples/events-cron-trigger.yaml
// validates and renders.
func TestSampleRenders(t *testing.T) {
	b, err := os.ReadFile("../../config/samples/events-cron-trigger.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs := bytes.Split(b, []byte("\n---\n"))
	if len(docs) != 3 {
		t.Fatalf("%d documents, want 3", len(docs))
	}
	var bus ev.EventBus
	var es ev.EventSource
	var tr ev.Trigger
	for i, into := range []any{&bus, &es, &tr} {
		if err := yaml.UnmarshalStrict(docs[i], into); err != nil {
			t.Fatalf("document %d: %v", i+1, err)
		}
	}
	if errs := bus.Spec.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	if errs := es.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	if errs := tr.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	if _, err := EventSourceHandler(&es, &bus.Spec, testImage); err != nil {
		t.Fatal(err)
	}
	if _, err := TriggerHandler(&tr, &bus.Spec, testImage); err != nil {
		t.Fatal(err)
	}
}
