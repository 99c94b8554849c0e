package events

import (
	"fmt"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
)

// SinkURL is the HTTP address of a sink: its uri, or the cluster address of
// the referenced Function's (or Knative Service's) Knative Service,
// http://<name>.<namespace>.svc.cluster.local. namespace is the referring
// object's, used when the reference names none.
func SinkURL(s *ev.SinkSpec, namespace string) (string, error) {
	if s == nil {
		return "", nil
	}
	if s.URI != nil {
		return *s.URI, nil
	}
	r := s.Ref
	if r == nil || r.Name == "" {
		return "", fmt.Errorf("sink: neither uri nor ref.name is set")
	}
	switch r.APIVersion + "|" + r.Kind {
	case "core.kiln.dev/v1alpha1|Function", "serving.knative.dev/v1|Service":
	default:
		return "", fmt.Errorf("sink: ref %s %s: want a core.kiln.dev/v1alpha1 Function or a serving.knative.dev/v1 Service", r.APIVersion, r.Kind)
	}
	ns := r.Namespace
	if ns == "" {
		ns = namespace
	}
	return "http://" + r.Name + "." + ns + ".svc.cluster.local", nil
}
