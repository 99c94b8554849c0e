package handlerconfig

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// Env is the environment variable the config travels in.
const Env = "EVENTS_CONFIG"

// Kinds of handler.
const (
	KindEventSource = "EventSource"
	KindTrigger     = "Trigger"
)

// Config tells the handler what it is and where events come from and go.
type Config struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	// PubSub is the Dapr pub/sub component of the EventBus ("" without one).
	PubSub string `json:"pubsub,omitempty"`

	// Sources (EventSource): each delivers at Route.
	Sources []Source `json:"sources,omitempty"`
	// SinkURL (EventSource) receives every event over HTTP.
	SinkURL string `json:"sinkURL,omitempty"`

	// Inputs (Trigger): each a topic of PubSub, delivered at Route.
	Inputs []Input `json:"inputs,omitempty"`
	// Subscribers (Trigger), evaluated in order.
	Subscribers []Subscriber `json:"subscribers,omitempty"`
	// InputWindow is how long an input counts as true after an event
	// arrived on it (Go duration, default 60s as OpenFunction).
	InputWindow string `json:"inputWindow,omitempty"`
}

// Source is one event of an EventSource.
type Source struct {
	// Event is the event name (the key under kafka/cron/redis/mqtt).
	Event string `json:"event"`
	// Kind is kafka, cron, redis or mqtt (the CloudEvent type's suffix).
	Kind string `json:"kind"`
	// Route is the HTTP path daprd delivers this source's payloads to.
	Route string `json:"route"`
	// SubscribePubSub and SubscribeTopic are set for sources read through
	// a pub/sub component (Redis Streams): the handler subscribes to them.
	SubscribePubSub string `json:"subscribePubsub,omitempty"`
	SubscribeTopic  string `json:"subscribeTopic,omitempty"`
	// Topic on PubSub the events are published to.
	Topic string `json:"topic,omitempty"`
}

// Input is one input of a Trigger.
type Input struct {
	Name  string `json:"name"`
	Topic string `json:"topic"`
	Route string `json:"route"`
}

// Subscriber is one subscriber of a Trigger.
type Subscriber struct {
	Condition         string `json:"condition"`
	SinkURL           string `json:"sinkURL,omitempty"`
	DeadLetterSinkURL string `json:"deadLetterSinkURL,omitempty"`
	Topic             string `json:"topic,omitempty"`
	DeadLetterTopic   string `json:"deadLetterTopic,omitempty"`
}

// JSON is c encoded.
func (c *Config) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}

// FromEnv reads the config from $EVENTS_CONFIG.
func FromEnv() (*Config, error) {
	raw := os.Getenv(Env)
	if raw == "" {
		return nil, fmt.Errorf("%s is not set: the controller sets it on an EventSource's or Trigger's handler", Env)
	}
	return Parse(raw)
}

// Parse decodes and checks a config; unknown fields are errors.
func Parse(raw string) (*Config, error) {
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	var c Config
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%s: decoding: %w", Env, err)
	}
	switch c.Kind {
	case KindEventSource:
		if len(c.Sources) == 0 {
			return nil, fmt.Errorf("%s: an EventSource handler needs sources", Env)
		}
		if c.PubSub == "" && c.SinkURL == "" {
			return nil, fmt.Errorf("%s: an EventSource handler needs pubsub or sinkURL", Env)
		}
	case KindTrigger:
		if c.PubSub == "" || len(c.Inputs) == 0 || len(c.Subscribers) == 0 {
			return nil, fmt.Errorf("%s: a Trigger handler needs pubsub, inputs and subscribers", Env)
		}
	default:
		return nil, fmt.Errorf("%s: kind %q: want EventSource or Trigger", Env, c.Kind)
	}
	return &c, nil
}
