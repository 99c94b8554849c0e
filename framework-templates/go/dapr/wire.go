package dapr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
)

// Protobuf wire types used by the messages below.
const (
	wireVarint = 0
	wireBytes  = 2
)

// encoder appends protobuf fields to a buffer.
type encoder struct{ b []byte }

func (e *encoder) tag(field, wire int) { e.b = binary.AppendUvarint(e.b, uint64(field<<3|wire)) }

func (e *encoder) bytes(field int, v []byte) {
	if len(v) == 0 {
		return
	}
	e.tag(field, wireBytes)
	e.b = binary.AppendUvarint(e.b, uint64(len(v)))
	e.b = append(e.b, v...)
}

func (e *encoder) string(field int, v string) { e.bytes(field, []byte(v)) }

func (e *encoder) varint(field int, v uint64) {
	if v == 0 {
		return
	}
	e.tag(field, wireVarint)
	e.b = binary.AppendUvarint(e.b, v)
}

// stringMap encodes map<string,string> as repeated entries {key=1, value=2},
// sorted so the bytes are deterministic.
func (e *encoder) stringMap(field int, m map[string]string) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		var entry encoder
		entry.string(1, k)
		entry.string(2, m[k])
		e.tag(field, wireBytes)
		e.b = binary.AppendUvarint(e.b, uint64(len(entry.b)))
		e.b = append(e.b, entry.b...)
	}
}

func (e *encoder) message(field int, m []byte) {
	e.tag(field, wireBytes)
	e.b = binary.AppendUvarint(e.b, uint64(len(m)))
	e.b = append(e.b, m...)
}

var errTruncated = errors.New("protobuf message is truncated")

// field is one decoded field: a varint value or a length-delimited payload.
type field struct {
	num   int
	wire  int
	value uint64
	data  []byte
}

// fields decodes a message into its fields, skipping fixed32/fixed64 values.
func fields(b []byte) ([]field, error) {
	var out []field
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return nil, errTruncated
		}
		b = b[n:]
		f := field{num: int(key >> 3), wire: int(key & 7)}
		switch f.wire {
		case wireVarint:
			v, n := binary.Uvarint(b)
			if n <= 0 {
				return nil, errTruncated
			}
			f.value, b = v, b[n:]
		case wireBytes:
			l, n := binary.Uvarint(b)
			if n <= 0 || uint64(len(b)-n) < l {
				return nil, errTruncated
			}
			f.data, b = b[n:n+int(l)], b[n+int(l):]
		case 1: // fixed64
			if len(b) < 8 {
				return nil, errTruncated
			}
			b = b[8:]
		case 5: // fixed32
			if len(b) < 4 {
				return nil, errTruncated
			}
			b = b[4:]
		default:
			return nil, fmt.Errorf("protobuf wire type %d is not supported", f.wire)
		}
		out = append(out, f)
	}
	return out, nil
}

// mapEntry decodes one map<string,string> entry.
func mapEntry(b []byte) (string, string, error) {
	fs, err := fields(b)
	if err != nil {
		return "", "", err
	}
	var k, v string
	for _, f := range fs {
		switch f.num {
		case 1:
			k = string(f.data)
		case 2:
			v = string(f.data)
		}
	}
	return k, v, nil
}

// BindingEvent is what an input binding delivers (BindingEventRequest).
type BindingEvent struct {
	Name     string
	Data     []byte
	Metadata map[string]string
}

func decodeBindingEvent(b []byte) (*BindingEvent, error) {
	fs, err := fields(b)
	if err != nil {
		return nil, err
	}
	ev := &BindingEvent{Metadata: map[string]string{}}
	for _, f := range fs {
		switch f.num {
		case 1:
			ev.Name = string(f.data)
		case 2:
			ev.Data = f.data
		case 3:
			k, v, err := mapEntry(f.data)
			if err != nil {
				return nil, err
			}
			ev.Metadata[k] = v
		}
	}
	return ev, nil
}

func encodeBindingEvent(ev *BindingEvent) []byte {
	var e encoder
	e.string(1, ev.Name)
	e.bytes(2, ev.Data)
	e.stringMap(3, ev.Metadata)
	return e.b
}

// bindingEventResponse carries the function's answer back to the binding.
func encodeBindingEventResponse(data []byte) []byte {
	var e encoder
	e.bytes(4, data)
	return e.b
}

// TopicEvent is a pub/sub message (TopicEventRequest), a CloudEvent.
type TopicEvent struct {
	ID              string
	Source          string
	Type            string
	SpecVersion     string
	DataContentType string
	Data            []byte
	Topic           string
	PubsubName      string
	Path            string
	// TraceParent is the W3C trace context the event carries, if any.
	TraceParent string
}

func decodeTopicEvent(b []byte) (*TopicEvent, error) {
	fs, err := fields(b)
	if err != nil {
		return nil, err
	}
	ev := &TopicEvent{}
	for _, f := range fs {
		s := string(f.data)
		switch f.num {
		case 1:
			ev.ID = s
		case 2:
			ev.Source = s
		case 3:
			ev.Type = s
		case 4:
			ev.SpecVersion = s
		case 5:
			ev.DataContentType = s
		case 6:
			ev.Topic = s
		case 7:
			ev.Data = f.data
		case 8:
			ev.PubsubName = s
		case 9:
			ev.Path = s
		case 10:
			ev.TraceParent = structString(f.data, "traceparent")
		}
	}
	return ev, nil
}

func encodeTopicEvent(ev *TopicEvent) []byte {
	var e encoder
	e.string(1, ev.ID)
	e.string(2, ev.Source)
	e.string(3, ev.Type)
	e.string(4, ev.SpecVersion)
	e.string(5, ev.DataContentType)
	e.string(6, ev.Topic)
	e.bytes(7, ev.Data)
	e.string(8, ev.PubsubName)
	e.string(9, ev.Path)
	return e.b
}

// structString reads a string field out of a google.protobuf.Struct
// (fields: map<string, Value> = 1; Value.string_value = 3).
func structString(b []byte, key string) string {
	fs, err := fields(b)
	if err != nil {
		return ""
	}
	for _, f := range fs {
		if f.num != 1 {
			continue
		}
		entry, err := fields(f.data)
		if err != nil {
			continue
		}
		var k string
		var val []byte
		for _, ef := range entry {
			switch ef.num {
			case 1:
				k = string(ef.data)
			case 2:
				val = ef.data
			}
		}
		if k != key {
			continue
		}
		vf, _ := fields(val)
		for _, x := range vf {
			if x.num == 3 {
				return string(x.data)
			}
		}
	}
	return ""
}

// TopicStatus is Dapr's verdict on a delivered pub/sub message.
type TopicStatus int

const (
	// TopicSuccess acknowledges the message.
	TopicSuccess TopicStatus = 0
	// TopicRetry asks Dapr to deliver it again.
	TopicRetry TopicStatus = 1
	// TopicDrop discards it (dead-letter topic if configured).
	TopicDrop TopicStatus = 2
)

func (s TopicStatus) String() string {
	switch s {
	case TopicRetry:
		return "RETRY"
	case TopicDrop:
		return "DROP"
	}
	return "SUCCESS"
}

func encodeTopicEventResponse(s TopicStatus) []byte {
	var e encoder
	e.varint(1, uint64(s))
	return e.b
}

func decodeTopicEventResponse(b []byte) (TopicStatus, error) {
	fs, err := fields(b)
	if err != nil {
		return 0, err
	}
	for _, f := range fs {
		if f.num == 1 {
			return TopicStatus(f.value), nil
		}
	}
	return TopicSuccess, nil
}

// Subscription is one pub/sub topic the app subscribes to.
type Subscription struct {
	PubsubName string
	Topic      string
	Metadata   map[string]string
}

func encodeSubscriptions(subs []Subscription) []byte {
	var e encoder
	for _, s := range subs {
		var m encoder
		m.string(1, s.PubsubName)
		m.string(2, s.Topic)
		m.stringMap(3, s.Metadata)
		e.message(1, m.b)
	}
	return e.b
}

func decodeSubscriptions(b []byte) ([]Subscription, error) {
	fs, err := fields(b)
	if err != nil {
		return nil, err
	}
	var out []Subscription
	for _, f := range fs {
		if f.num != 1 {
			continue
		}
		sf, err := fields(f.data)
		if err != nil {
			return nil, err
		}
		var s Subscription
		for _, x := range sf {
			switch x.num {
			case 1:
				s.PubsubName = string(x.data)
			case 2:
				s.Topic = string(x.data)
			}
		}
		out = append(out, s)
	}
	return out, nil
}

func encodeStrings(field int, ss []string) []byte {
	var e encoder
	for _, s := range ss {
		e.tag(field, wireBytes)
		e.b = binary.AppendUvarint(e.b, uint64(len(s)))
		e.b = append(e.b, s...)
	}
	return e.b
}

func decodeStrings(b []byte, field int) ([]string, error) {
	fs, err := fields(b)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, f := range fs {
		if f.num == field {
			out = append(out, string(f.data))
		}
	}
	return out, nil
}

// invokeBindingRequest is dapr.proto.runtime.v1.InvokeBindingRequest.
func encodeInvokeBinding(name string, data []byte, metadata map[string]string, operation string) []byte {
	var e encoder
	e.string(1, name)
	e.bytes(2, data)
	e.stringMap(3, metadata)
	e.string(4, operation)
	return e.b
}

// decodeInvokeBindingResponse returns InvokeBindingResponse.data.
func decodeInvokeBindingResponse(b []byte) ([]byte, error) {
	fs, err := fields(b)
	if err != nil {
		return nil, err
	}
	for _, f := range fs {
		if f.num == 1 {
			return f.data, nil
		}
	}
	return nil, nil
}

// encodePublish is dapr.proto.runtime.v1.PublishEventRequest.
func encodePublish(pubsub, topic string, data []byte, contentType string, metadata map[string]string) []byte {
	var e encoder
	e.string(1, pubsub)
	e.string(2, topic)
	e.bytes(3, data)
	e.string(4, contentType)
	e.stringMap(5, metadata)
	return e.b
}
