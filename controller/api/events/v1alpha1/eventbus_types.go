package v1alpha1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// EventBus is a namespaced pub/sub backend events travel on.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:shortName=eb
type EventBus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec EventBusSpec `json:"spec,omitempty"`
}

// EventBusList is a list of EventBuses.
//
// +kubebuilder:object:root=true
type EventBusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []EventBus `json:"items"`
}

// ClusterEventBus is the cluster-wide bus used when a namespace has no
// EventBus of the name asked for.
//
// +kubebuilder:object:root=true
// +kubebuilder:resource:scope=Cluster,shortName=ceb
type ClusterEventBus struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec EventBusSpec `json:"spec,omitempty"`
}

// ClusterEventBusList is a list of ClusterEventBuses.
//
// +kubebuilder:object:root=true
type ClusterEventBusList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []ClusterEventBus `json:"items"`
}

// EventBusSpec names exactly one backend. OpenFunction's only backend,
// natsStreaming, is not supported (NATS Streaming is end-of-life and not
// available here); `kiln convert` says so.
type EventBusSpec struct {
	// Topic is OpenFunction's optional default topic (unused by Kiln's
	// handlers; kept so converted manifests round-trip).
	Topic string `json:"topic,omitempty"`
	// Redis is a Redis Streams bus (Dapr pubsub.redis).
	Redis *RedisBusSpec `json:"redis,omitempty"`
	// Kafka is a Kafka bus (Dapr pubsub.kafka).
	Kafka *KafkaBusSpec `json:"kafka,omitempty"`
}

// RedisBusSpec is a Redis server used as a Redis Streams bus.
type RedisBusSpec struct {
	RedisHost     string `json:"redisHost"`
	RedisPassword string `json:"redisPassword,omitempty"`
	EnableTLS     *bool  `json:"enableTLS,omitempty"`
	RedisDB       *int64 `json:"redisDB,omitempty"`
	// MaxLenApprox caps each stream's length (Dapr's maxLenApprox).
	MaxLenApprox *int64 `json:"maxLenApprox,omitempty"`
}

// KafkaBusSpec is a Kafka cluster used as a bus.
type KafkaBusSpec struct {
	Brokers         string  `json:"brokers"`
	AuthRequired    bool    `json:"authRequired,omitempty"`
	SaslUsername    *string `json:"saslUsername,omitempty"`
	SaslPassword    *string `json:"saslPassword,omitempty"`
	MaxMessageBytes *int64  `json:"maxMessageBytes,omitempty"`
}
