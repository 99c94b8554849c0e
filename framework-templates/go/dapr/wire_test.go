package dapr

import (
	"encoding/hex"
	"reflect"
	"testing"
)

// The expected bytes are protobuf encodings worked out from the field numbers
// in dapr/proto/runtime/v1/{appcallback,dapr}.proto.
func TestEncodings(t *testing.T) {
	for _, tt := range []struct {
		name string
		got  []byte
		want string
	}{
		{"InvokeBindingRequest", encodeInvokeBinding("b", []byte("hi"), map[string]string{"k": "v"}, "create"),
			"0a0162" + "12026869" + "1a060a016b120176" + "2206637265617465"},
		{"PublishEventRequest", encodePublish("ps", "t", []byte("{}"), "application/json", nil),
			"0a027073" + "120174" + "1a027b7d" + "22106170706c69636174696f6e2f6a736f6e"},
		{"BindingEventResponse.data", encodeBindingEventResponse([]byte("ok")), "22026f6b"},
		{"TopicEventResponse RETRY", encodeTopicEventResponse(TopicRetry), "0801"},
		{"TopicEventResponse SUCCESS is empty", encodeTopicEventResponse(TopicSuccess), ""},
		{"ListInputBindingsResponse", encodeStrings(1, []string{"a", "bc"}), "0a0161" + "0a026263"},
		{"ListTopicSubscriptionsResponse", encodeSubscriptions([]Subscription{{PubsubName: "ps", Topic: "t"}}), "0a07" + "0a027073" + "120174"},
	} {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("%s = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestDecodeRoundTrips(t *testing.T) {
	be := &BindingEvent{Name: "mqtt-in", Data: []byte("payload"), Metadata: map[string]string{"topic": "a/b", "x": "y"}}
	got, err := decodeBindingEvent(encodeBindingEvent(be))
	if err != nil || !reflect.DeepEqual(got, be) {
		t.Fatalf("binding event: %+v %v", got, err)
	}
	te := &TopicEvent{ID: "1", Source: "s", Type: "t", SpecVersion: "1.0", DataContentType: "application/json",
		Data: []byte(`{"a":1}`), Topic: "orders", PubsubName: "ps", Path: "/orders"}
	got2, err := decodeTopicEvent(encodeTopicEvent(te))
	if err != nil || !reflect.DeepEqual(got2, te) {
		t.Fatalf("topic event: %+v %v", got2, err)
	}
	subs, err := decodeSubscriptions(encodeSubscriptions([]Subscription{{PubsubName: "ps", Topic: "t1"}, {PubsubName: "ps", Topic: "t2"}}))
	if err != nil || len(subs) != 2 || subs[1].Topic != "t2" {
		t.Fatalf("subscriptions: %+v %v", subs, err)
	}
}

func TestTraceParentFromExtensions(t *testing.T) {
	// google.protobuf.Struct{fields: {"traceparent": Value{string_value: "tp"}}}
	value := []byte{0x1a, 0x02, 't', 'p'}
	entry := append([]byte{0x0a, 0x0b}, "traceparent"...)
	entry = append(entry, 0x12, byte(len(value)))
	entry = append(entry, value...)
	st := append([]byte{0x0a, byte(len(entry))}, entry...)
	var e encoder
	e.string(6, "orders")
	e.message(10, st)
	ev, err := decodeTopicEvent(e.b)
	if err != nil || ev.TraceParent != "tp" || ev.Topic != "orders" {
		t.Fatalf("%+v %v", ev, err)
	}
}

func TestTruncatedMessagesAreErrors(t *testing.T) {
	for _, b := range [][]byte{{0x0a}, {0x0a, 0x05, 'a'}, {0x08}, {0x0f}} {
		if _, err := decodeBindingEvent(b); err == nil {
			t.Errorf("decoding %x: no error", b)
		}
	}
}
