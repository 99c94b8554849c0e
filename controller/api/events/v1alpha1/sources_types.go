package v1alpha1

// RedisSpec is a Redis server to read events from. OpenFunction renders it
// as a Dapr bindings.redis input, which Dapr only supports as an output;
// Kiln reads Stream (default: the event name) through Dapr's pubsub.redis.
type RedisSpec struct {
	RedisHost     string `json:"redisHost"`
	RedisPassword string `json:"redisPassword,omitempty"`
	EnableTLS     *bool  `json:"enableTLS,omitempty"`
	RedisDB       *int64 `json:"redisDB,omitempty"`
	// Stream is the Redis Stream key to read (Kiln's addition).
	Stream string `json:"stream,omitempty"`
}

// KafkaSpec is a Kafka topic to read events from.
type KafkaSpec struct {
	Brokers         string  `json:"brokers"`
	AuthRequired    bool    `json:"authRequired,omitempty"`
	Topic           string  `json:"topic,omitempty"`
	SaslUsername    *string `json:"saslUsername,omitempty"`
	SaslPassword    *string `json:"saslPassword,omitempty"`
	MaxMessageBytes *int64  `json:"maxMessageBytes,omitempty"`
}

// CronSpec emits an event on Schedule (a cron expression or "@every 2s").
type CronSpec struct {
	Schedule string `json:"schedule"`
}

// MQTTSpec is an MQTT topic to read events from.
type MQTTSpec struct {
	URL          string  `json:"url"`
	Topic        string  `json:"topic"`
	ConsumerID   *string `json:"consumerID,omitempty"`
	Qos          *int64  `json:"qos,omitempty"`
	Retain       *bool   `json:"retain,omitempty"`
	CleanSession *bool   `json:"cleanSession,omitempty"`
}
