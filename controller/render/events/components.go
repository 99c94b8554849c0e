package events

import (
	"net/url"
	"strconv"
	"strings"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
)

// BusKey is the serving.pubsub key of the EventBus's component.
const BusKey = "eventbus"

// metadata is one Component's settings; passwords go to creds and are
// referenced (secretKeyRef), never written as values.
type metadata struct {
	items []core.MetadataItem
	creds *credentials
	// key prefixes this Component's entries in the Secret.
	key string
}

func (m *metadata) add(name, value string) {
	if value != "" {
		m.items = append(m.items, core.MetadataItem{Name: name, Value: value})
	}
}

// addSecret stores value in the handler's Secret under "<key>-<name>" and
// references it.
func (m *metadata) addSecret(name string, value *string) {
	if value == nil || *value == "" {
		return
	}
	key := m.key + "-" + name
	m.creds.data[key] = []byte(*value)
	m.items = append(m.items, core.MetadataItem{Name: name, SecretKeyRef: &core.SecretKeyRef{Name: m.creds.name, Key: key}})
}

func (m *metadata) addPtr(name string, v any) {
	switch p := v.(type) {
	case *string:
		if p != nil {
			m.add(name, *p)
		}
	case *int64:
		if p != nil {
			m.add(name, strconv.FormatInt(*p, 10))
		}
	case *bool:
		if p != nil {
			m.add(name, strconv.FormatBool(*p))
		}
	}
}

// busComponent is the Dapr pub/sub component of a bus: pubsub.redis (Redis
// Streams) or pubsub.kafka. consumer names the consumer group, so every
// handler reads every event once; the bus's password goes to creds.
func busComponent(s *ev.EventBusSpec, consumer string, creds *credentials) *core.ComponentSpec {
	md := metadata{creds: creds, key: BusKey}
	switch {
	case s.Redis != nil:
		r := s.Redis
		md.add("redisHost", r.RedisHost)
		md.addSecret("redisPassword", &r.RedisPassword)
		md.addPtr("enableTLS", r.EnableTLS)
		md.addPtr("redisDB", r.RedisDB)
		md.addPtr("maxLenApprox", r.MaxLenApprox)
		md.add("consumerID", consumer)
		return &core.ComponentSpec{Type: "pubsub.redis", Version: "v1", Metadata: md.items}
	case s.Kafka != nil:
		k := s.Kafka
		md.add("brokers", k.Brokers)
		md.add("consumerGroup", consumer)
		kafkaAuth(&md, k.AuthRequired, k.SaslUsername, k.SaslPassword)
		md.addPtr("maxMessageBytes", k.MaxMessageBytes)
		return &core.ComponentSpec{Type: "pubsub.kafka", Version: "v1", Metadata: md.items}
	}
	return nil
}

func kafkaAuth(md *metadata, required bool, user, pass *string) {
	if !required {
		md.add("authType", "none")
		return
	}
	md.add("authType", "password")
	md.addPtr("saslUsername", user)
	md.addSecret("saslPassword", pass)
}

// sourceComponent is the Dapr component (key) reading one source,
// delivering at route (bindings) or subscribed by the handler (pub/sub);
// its password goes to creds.
func sourceComponent(key string, spec any, consumer, route string, creds *credentials) *core.ComponentSpec {
	md := metadata{creds: creds, key: key}
	switch s := spec.(type) {
	case *ev.KafkaSpec:
		md.add("brokers", s.Brokers)
		md.add("topics", s.Topic)
		md.add("consumerGroup", consumer)
		kafkaAuth(&md, s.AuthRequired, s.SaslUsername, s.SaslPassword)
		md.addPtr("maxMessageBytes", s.MaxMessageBytes)
		md.add("route", route)
		return &core.ComponentSpec{Type: "bindings.kafka", Version: "v1", Metadata: md.items}
	case *ev.CronSpec:
		md.add("schedule", strings.TrimSpace(s.Schedule))
		md.add("route", route)
		return &core.ComponentSpec{Type: "bindings.cron", Version: "v1", Metadata: md.items}
	case *ev.MQTTSpec:
		if u, err := url.Parse(s.URL); err == nil && u.User != nil {
			// Dapr's MQTT binding takes credentials only in the URL: all of
			// it is then a secret.
			md.addSecret("url", &s.URL)
		} else {
			md.add("url", s.URL)
		}
		md.add("topic", s.Topic)
		id := consumer
		if s.ConsumerID != nil {
			id = *s.ConsumerID
		}
		md.add("consumerID", id)
		md.addPtr("qos", s.Qos)
		md.addPtr("retain", s.Retain)
		md.addPtr("cleanSession", s.CleanSession)
		md.add("route", route)
		return &core.ComponentSpec{Type: "bindings.mqtt3", Version: "v1", Metadata: md.items}
	case *ev.RedisSpec:
		md.add("redisHost", s.RedisHost)
		md.addSecret("redisPassword", &s.RedisPassword)
		md.addPtr("enableTLS", s.EnableTLS)
		md.addPtr("redisDB", s.RedisDB)
		md.add("consumerID", consumer)
		return &core.ComponentSpec{Type: "pubsub.redis", Version: "v1", Metadata: md.items}
	}
	return nil
}
