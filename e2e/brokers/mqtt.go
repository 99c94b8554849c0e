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

// Pending connects to broker as clientID's persistent session
// (cleanSession false) with a handler in place before the connect, and
// returns the payloads the broker hands that session: what it still held
// unacknowledged or queued for it. It stops when nothing new has come for
// quiet, or at timeout. Taking them acknowledges them: the session is
// emptied.
//
// daprd's mqtt3 binding (v1.14) subscribes only after its connect, so a
// message the broker resends right at the connect can find no handler;
// daprd's MQTT client then never acknowledges it and it stays here
// (dapr/components-contrib#4110). Pending tells such a stranded message
// from one that was acknowledged and dropped.
func Pending(broker, clientID string, quiet, timeout time.Duration) ([]string, error) {
	var mu sync.Mutex
	var got []string
	last := time.Now()
	opts := mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(clientID).SetCleanSession(false).
		SetDefaultPublishHandler(func(_ mqtt.Client, m mqtt.Message) {
			mu.Lock()
			got, last = append(got, string(m.Payload())), time.Now()
			mu.Unlock()
		})
	c := mqtt.NewClient(opts)
	if err := wait(c.Connect()); err != nil {
		return nil, fmt.Errorf("mqtt %s: connecting as session %s: %w", broker, clientID, err)
	}
	defer c.Disconnect(100)
	deadline := time.Now().Add(timeout)
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		mu.Lock()
		idle := time.Since(last)
		mu.Unlock()
		if idle >= quiet || time.Now().After(deadline) {
			break
		}
	}
	mu.Lock()
	defer mu.Unlock()
	return append([]string(nil), got...), nil
}
