package events

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

const testImage = "registry.example.com/kiln/eventhandler@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// input is one testdata/in case: an EventSource or a Trigger and the bus
// it resolves to.
type input struct {
	EventBus    *ev.EventBusSpec `json:"eventBus,omitempty"`
	EventSource *ev.EventSource  `json:"eventSource,omitempty"`
	Trigger     *ev.Trigger      `json:"trigger,omitempty"`
}

// render validates the case and renders its handler.
func (c *input) render() (*Handler, error) {
	switch {
	case c.EventSource != nil:
		if errs := c.EventSource.Validate(); len(errs) > 0 {
			return nil, errs.ToAggregate()
		}
		return EventSourceHandler(c.EventSource, c.EventBus, testImage)
	case c.Trigger != nil:
		if errs := c.Trigger.Validate(); len(errs) > 0 {
			return nil, errs.ToAggregate()
		}
		return TriggerHandler(c.Trigger, c.EventBus, testImage)
	}
	return nil, fmt.Errorf("neither eventSource nor trigger")
}

// TestGolden renders every testdata/in case into its handler Function and
// that Function into its objects (render.All), and compares both with
// testdata/golden (go test -update rewrites them). The handler Function must
// be valid and default cleanly, as the Function reconciler will check.
func TestGolden(t *testing.T) {
	ins, _ := filepath.Glob("testdata/in/*.yaml")
	if len(ins) == 0 {
		t.Fatal("no testdata/in")
	}
	for _, in := range ins {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			var c input
			if err := yaml.UnmarshalStrict(b, &c); err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			h, err := c.render()
			if err != nil {
				t.Fatalf("%s: %v", in, err)
			}
			f := h.Function
			f.Default()
			if errs := f.Validate(); len(errs) > 0 {
				t.Fatalf("rendered Function is invalid: %v", errs.ToAggregate())
			}
			objs, err := render.All(f, render.DefaultConfig(), "")
			if err != nil {
				t.Fatal(err)
			}
			out := []client.Object{f}
			if h.Secret != nil {
				out = append(out, h.Secret)
			}
			got, err := render.YAML(append(out, objs...))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if string(got) != string(want) {
				t.Errorf("%s differs from the rendering (go test -update rewrites it; review the diff):\n%s", golden, got)
			}
		})
	}
}
