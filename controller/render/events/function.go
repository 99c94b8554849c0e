package events

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
	core "kiln.dev/kiln/controller/api/v1alpha1"
)

// Labels naming the object a handler Function runs for.
const (
	LabelEventSource = "events.kiln.dev/eventsource"
	LabelTrigger     = "events.kiln.dev/trigger"
)

// Handler is what runs an EventSource or Trigger: its Function, and the
// Secret (of the Function's name and labels) holding every password the
// Function's Components reference with secretKeyRef — the bus's and the
// sources' — nil when there is none. No Component carries a password as a
// value: Dapr's operator resolves the references from the Secret of the
// Component's namespace.
type Handler struct {
	Function *core.Function
	Secret   *corev1.Secret
}

// credentials collect the passwords of one handler's Components.
type credentials struct {
	name string
	data map[string][]byte
}

func newCredentials(f *core.Function) *credentials {
	return &credentials{name: f.Name, data: map[string][]byte{}}
}

// secret is the Secret holding c (nil when empty), labelled as f.
func (c *credentials) secret(f *core.Function) *corev1.Secret {
	if len(c.data) == 0 {
		return nil
	}
	return &corev1.Secret{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{Name: c.name, Namespace: f.Namespace, Labels: f.Labels},
		Type:       corev1.SecretTypeOpaque,
		Data:       c.data,
	}
}

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

func finish(f *core.Function, cfg *handlerconfig.Config, creds *credentials) *Handler {
	v := f.Spec.Serving
	if len(v.Bindings) == 0 {
		v.Bindings = nil
	}
	if len(v.Pubsub) == 0 {
		v.Pubsub = nil
	}
	v.Params[handlerconfig.Env] = cfg.JSON()
	return &Handler{Function: f, Secret: creds.secret(f)}
}
