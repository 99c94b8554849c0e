package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Trigger reads events from a bus and delivers the ones its subscribers'
// conditions match.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="EventBus",type=string,JSONPath=`.spec.eventBus`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type Trigger struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   TriggerSpec `json:"spec,omitempty"`
	Status Status      `json:"status,omitempty"`
}

// TriggerList is a list of Triggers.
//
// +kubebuilder:object:root=true
type TriggerList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Trigger `json:"items"`
}

// TriggerSpec is OpenFunction's TriggerSpec.
type TriggerSpec struct {
	// EventBus names the EventBus (or ClusterEventBus) to read from.
	EventBus string `json:"eventBus"`
	// Inputs are named by the identifiers conditions use.
	Inputs map[string]*Input `json:"inputs"`
	// Subscribers are evaluated in order for every event.
	Subscribers []*Subscriber `json:"subscribers"`
	LogLevel    *string       `json:"logLevel,omitempty"`
}

// Input is one event of one EventSource.
type Input struct {
	// Namespace of the EventSource (default: the Trigger's).
	Namespace   string `json:"namespace,omitempty"`
	EventSource string `json:"eventSource"`
	Event       string `json:"event"`
}

// Subscriber delivers events matching Condition to Sink (HTTP) or Topic
// (the bus).
type Subscriber struct {
	// Condition is an expression over input names and the CloudEvent's
	// attributes, e.g. `A || B`, `A && type == "cron"`,
	// `source != "x" && extensions.tier == "gold"`.
	Condition      string    `json:"condition"`
	Sink           *SinkSpec `json:"sink,omitempty"`
	DeadLetterSink *SinkSpec `json:"deadLetterSink,omitempty"`
	// Topic on the Trigger's bus to publish matching events to.
	Topic string `json:"topic,omitempty"`
	// DeadLetterTopic receives events whose delivery failed.
	DeadLetterTopic string `json:"deadLetterTopic,omitempty"`
}

// Status is the observed state of an EventSource or Trigger.
type Status struct {
	// ObservedGeneration is the generation the conditions describe.
	ObservedGeneration int64 `json:"observedGeneration,omitempty"`
	// Conditions: Ready, with a reason saying why not.
	Conditions []metav1.Condition `json:"conditions,omitempty"`
	// Function is the core.kiln.dev Function that runs the handler.
	Function string `json:"function,omitempty"`
}
