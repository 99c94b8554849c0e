package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestConvertEvents: kiln convert takes OpenFunction's events kinds in the
// same stream as Functions, writing events.kiln.dev objects and the notes.
func TestConvertEvents(t *testing.T) {
	in := filepath.Join(t.TempDir(), "events.yaml")
	manifest := `apiVersion: events.openfunction.io/v1alpha1
kind: EventBus
metadata:
  name: default
spec:
  natsStreaming:
    natsURL: nats://nats:4222
---
apiVersion: events.openfunction.io/v1alpha1
kind: Trigger
metadata:
  name: tr
spec:
  eventBus: default
  inputs:
    A:
      eventSource: es
      event: tick
  subscribers:
    - condition: A
      sink:
        uri: http://openfunction.io.svc.cluster.local/default/sink
`
	if err := os.WriteFile(in, []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, notes bytes.Buffer
	if err := cliTo([]string{"convert", "-f", in}, &out, &notes); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"apiVersion: events.kiln.dev/v1alpha1\nkind: EventBus", "kind: Trigger", "apiVersion: core.kiln.dev/v1alpha1\n        kind: Function\n        name: sink"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	for _, want := range []string{"kiln convert: default: spec.natsStreaming: NATS Streaming is not a Kiln bus", "kiln convert: tr: spec.subscribers[0].sink.uri"} {
		if !strings.Contains(notes.String(), want) {
			t.Errorf("notes lack %q:\n%s", want, notes.String())
		}
	}
}
