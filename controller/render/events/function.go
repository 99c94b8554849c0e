package events

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
	core "kiln.dev/kiln/controller/api/v1alpha1"
)

// Labels naming the object a handler Function runs for.
const (
	LabelEventSource = "events.kiln.dev/eventsource"
	LabelTrigger     = "events.kiln.dev/trigger"
)

// handlerFunction is the async Function skeleton both kinds share: the
// handler image, served as is (no build), daprd talking HTTP to it.
func handlerFunction(name, namespace, image, label, owner string) *core.Function {
	return &core.Function{
		TypeMeta:   metav1.TypeMeta{APIVersion: core.GroupVersion.String(), Kind: "Function"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: namespace, Labels: map[string]string{label: owner}},
		Spec: core.FunctionSpec{
			Image: image,
			Serving: &core.ServingImpl{
				Triggers:    &core.Triggers{},
				Bindings:    map[string]*core.ComponentSpec{},
				Pubsub:      map[string]*core.ComponentSpec{},
				Annotations: map[string]string{"dapr.io/app-protocol": "http"},
				Params:      map[string]string{},
				Labels:      map[string]string{label: owner},
			},
		},
	}
}

func finish(f *core.Function, cfg *handlerconfig.Config) *core.Function {
	v := f.Spec.Serving
	if len(v.Bindings) == 0 {
		v.Bindings = nil
	}
	if len(v.Pubsub) == 0 {
		v.Pubsub = nil
	}
	v.Params[handlerconfig.Env] = cfg.JSON()
	return f
}
