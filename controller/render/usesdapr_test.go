package render

import (
	"testing"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func TestUsesDapr(t *testing.T) {
	comp := &v1alpha1.ComponentSpec{Type: "bindings.kafka", Version: "v1"}
	http := &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{}}
	for _, tc := range []struct {
		name string
		v    *v1alpha1.ServingImpl
		want bool
	}{
		{"plain Knative", &v1alpha1.ServingImpl{Triggers: http}, false},
		{"Knative with an output", &v1alpha1.ServingImpl{Triggers: http, Outputs: []*v1alpha1.Output{{Dapr: &v1alpha1.DaprOutput{DaprIO: v1alpha1.DaprIO{Name: "existing"}}}}}, true},
		{"Knative with an input", &v1alpha1.ServingImpl{Triggers: &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{}, Inputs: []*v1alpha1.Input{{Dapr: &v1alpha1.DaprIO{Name: "s"}}}}}, true},
		{"Knative declaring a binding", &v1alpha1.ServingImpl{Triggers: http, Bindings: map[string]*v1alpha1.ComponentSpec{"b": comp}}, true},
		{"Knative declaring a pub/sub", &v1alpha1.ServingImpl{Triggers: http, Pubsub: map[string]*v1alpha1.ComponentSpec{"p": comp}}, true},
		{"Knative declaring a state store", &v1alpha1.ServingImpl{Triggers: http, States: map[string]*v1alpha1.State{"s": {Spec: comp}}}, true},
		{"Knative using an existing state store", &v1alpha1.ServingImpl{Triggers: http, States: map[string]*v1alpha1.State{"s": {}}}, true},
		{"async", &v1alpha1.ServingImpl{Triggers: &v1alpha1.Triggers{Dapr: []*v1alpha1.DaprTrigger{{Name: "in"}}}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &v1alpha1.Function{Spec: v1alpha1.FunctionSpec{Serving: tc.v}}
			if got := UsesDapr(f); got != tc.want {
				t.Errorf("UsesDapr = %v, want %v", got, tc.want)
			}
		})
	}
}
