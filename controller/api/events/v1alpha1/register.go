package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// GroupVersion is events.kiln.dev/v1alpha1.
var GroupVersion = schema.GroupVersion{Group: "events.kiln.dev", Version: "v1alpha1"}

// AddToScheme registers the four kinds and their lists.
func AddToScheme(s *runtime.Scheme) error {
	s.AddKnownTypes(GroupVersion,
		&EventSource{}, &EventSourceList{},
		&EventBus{}, &EventBusList{},
		&ClusterEventBus{}, &ClusterEventBusList{},
		&Trigger{}, &TriggerList{})
	metav1.AddToGroupVersion(s, GroupVersion)
	return nil
}
