package convert

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// TestEventsGolden converts testdata/events/openfunction/*.yaml; the golden
// file holds the Kiln object and the notes. A converted object is valid
// unless a note says what to fix before applying.
func TestEventsGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/events/openfunction/*.yaml")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			if !IsEvents(b) {
				t.Fatal("IsEvents = false")
			}
			res, err := ConvertEvents(b)
			if err != nil {
				t.Fatal(err)
			}
			mustFix := strings.Contains(strings.Join(res.Notes, "\n"), "before applying")
			var errs []string
			switch o := res.Object.(type) {
			case *ev.EventSource:
				if e := o.Validate(); len(e) > 0 {
					errs = append(errs, e.ToAggregate().Error())
				}
			case *ev.EventBus:
				if e := o.Spec.Validate(); len(e) > 0 {
					errs = append(errs, e.ToAggregate().Error())
				}
			case *ev.ClusterEventBus:
				if e := o.Spec.Validate(); len(e) > 0 {
					errs = append(errs, e.ToAggregate().Error())
				}
			case *ev.Trigger:
				if e := o.Validate(); len(e) > 0 {
					errs = append(errs, e.ToAggregate().Error())
				}
			}
			if len(errs) > 0 && !mustFix {
				t.Fatalf("converted object is invalid and no note says so: %v", errs)
			}
			if len(errs) == 0 && mustFix {
				t.Fatalf("a note says to fix the object, but it is valid")
			}
			out, err := render.YAML([]client.Object{res.Object})
			if err != nil {
				t.Fatal(err)
			}
			got := string(out) + "# notes:\n#   " + strings.Join(res.Notes, "\n#   ") + "\n"
			golden := filepath.Join("testdata", "events", "golden", name)
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil || got != string(want) {
				t.Fatalf("differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

func TestEventsRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"apiVersion: events.openfunction.io/v1beta1\nkind: Trigger\n", `apiVersion "events.openfunction.io/v1beta1"`},
		{"apiVersion: events.openfunction.io/v1alpha1\nkind: Sink\n", `kind "Sink"`},
		{"apiVersion: events.openfunction.io/v1alpha1\nkind: Trigger\nspec:\n  inputs: 3\n", "does not fit events.kiln.dev/v1alpha1"},
		{"[", "not YAML"},
	} {
		if _, err := ConvertEvents([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ConvertEvents(%q) = %v, want %q", tc.in, err, tc.want)
		}
	}
	if IsEvents([]byte("apiVersion: core.openfunction.io/v1beta2\nkind: Function\n")) {
		t.Error("IsEvents(Function) = true")
	}
}
