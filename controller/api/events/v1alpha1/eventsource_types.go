package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EventSource names event producers and where their events go.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=es
// +kubebuilder:printcolumn:name="EventBus",type=string,JSONPath=`.spec.eventBus`
// +kubebuilder:printcolumn:name="Ready",type=string,JSONPath=`.status.conditions[?(@.type=="Ready")].status`
// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=`.metadata.creationTimestamp`
type EventSource struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec   EventSourceSpec `json:"spec,omitempty"`
	Status Status          `json:"status,omitempty"`
}

// EventSourceList is a list of EventSources.
//
// +kubebuilder:object:root=true
type EventSourceList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EventSource `json:"items"`
}

// EventSourceSpec is OpenFunction's EventSourceSpec. Each map key is an
// event name: the events of that producer are published to the bus topic
// "<namespace>.<eventsource>.<event>" (TopicName).
type EventSourceSpec struct {
	// EventBus names the EventBus (or, when none exists in the namespace,
	// the ClusterEventBus) the events are published to.
	EventBus string `json:"eventBus,omitempty"`
	// Redis sources read a Redis Stream.
	Redis map[string]*RedisSpec `json:"redis,omitempty"`
	// Kafka sources read a Kafka topic.
	Kafka map[string]*KafkaSpec `json:"kafka,omitempty"`
	// Cron sources emit an event on a schedule.
	Cron map[string]*CronSpec `json:"cron,omitempty"`
	// Mqtt sources read an MQTT topic.
	Mqtt map[string]*MQTTSpec `json:"mqtt,omitempty"`
	// Sink receives every event directly (HTTP), with or without a bus.
	Sink *SinkSpec `json:"sink,omitempty"`
	// LogLevel of the event handler ("1" info, "2" debug, as OpenFunction).
	LogLevel *string `json:"logLevel,omitempty"`
}

// SinkSpec is where events are delivered: a reference to a Function or a
// Knative Service, or a URI.
type SinkSpec struct {
	Ref *Reference `json:"ref,omitempty"`
	URI *string    `json:"uri,omitempty"`
}

// Reference names a Function (core.kiln.dev/v1alpha1) or a Knative Service
// (serving.knative.dev/v1).
type Reference struct {
	Kind string `json:"kind"`
	// Namespace defaults to the referring object's namespace.
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
	APIVersion string `json:"apiVersion"`
}
