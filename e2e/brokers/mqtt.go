package brokers

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
)

// clientSeq keeps MQTT client IDs unique within the process.
var clientSeq atomic.Int64

func connect(broker, role string, clean bool) (mqtt.Client, error) {
	id := fmt.Sprintf("e2e-%s-%d-%d", role, time.Now().UnixNano(), clientSeq.Add(1))
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(id).SetCleanSession(clean))
	if err := wait(c.Connect()); err != nil {
		return nil, fmt.Errorf("mqtt %s: connecting as %s: %w", broker, id, err)
	}
	return c, nil
}

// wait waits a bounded time for an MQTT exchange.
func wait(tok mqtt.Token) error {
	if !tok.WaitTimeout(10 * time.Second) {
		return errors.New("no answer from the broker within 10s")
	}
	return tok.Error()
}

// Collector keeps every payload published on one MQTT topic, in arrival
// order (QoS 1, a clean session of its own).
type Collector struct {
	mu   sync.Mutex
	msgs []string
	c    mqtt.Client
}

// Subscribe starts collecting topic on broker (host:port).
func Subscribe(broker, topic string) (*Collector, error) {
	c, err := connect(broker, "sub", true)
	if err != nil {
		return nil, err
	}
	col := &Collector{c: c}
	tok := c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		col.mu.Lock()
		col.msgs = append(col.msgs, string(m.Payload()))
		col.mu.Unlock()
	})
	if err := wait(tok); err != nil {
		c.Disconnect(100)
		return nil, fmt.Errorf("mqtt %s: subscribing to %s: %w", broker, topic, err)
	}
	return col, nil
}

// All is every payload so far.
func (col *Collector) All() []string {
	col.mu.Lock()
	defer col.mu.Unlock()
	return append([]string(nil), col.msgs...)
}

// Close disconnects.
func (col *Collector) Close() { col.c.Disconnect(100) }

// Publisher publishes with QoS 1: Publish returns once the broker has the
// message (PUBACK).
type Publisher struct{ c mqtt.Client }

// NewPublisher connects to broker (host:port).
func NewPublisher(broker string) (*Publisher, error) {
	c, err := connect(broker, "pub", true)
	if err != nil {
		return nil, err
	}
	return &Publisher{c}, nil
}

// Publish sends payload to topic and waits for the broker's PUBACK.
func (p *Publisher) Publish(topic, payload string) error {
	if err := wait(p.c.Publish(topic, 1, false, payload)); err != nil {
		return fmt.Errorf("mqtt: publishing to %s: %w", topic, err)
	}
	return nil
}

// Close disconnects.
func (p *Publisher) Close() { p.c.Disconnect(100) }
