//go:build go1.24

package dapr

import (
	"bytes"
	"net/http"
	"reflect"
	"testing"
)

// FuzzWireDecoders feeds arbitrary bytes to every hand-written protobuf
// decoder: none may panic, and what one accepts must survive its encoder
// (decode, encode, decode gives the same message).
func FuzzWireDecoders(f *testing.F) {
	for _, seed := range [][]byte{
		encodeBindingEvent(&BindingEvent{Name: "mqtt-in", Data: []byte("payload"), Metadata: map[string]string{"topic": "a/b", "": ""}}),
		encodeTopicEvent(&TopicEvent{ID: "1", Source: "s", Type: "t", SpecVersion: "1.0", DataContentType: "application/json",
			Data: []byte(`{"a":1}`), Topic: "orders", PubsubName: "ps", Path: "/orders"}),
		encodeSubscriptions([]Subscription{{PubsubName: "ps", Topic: "t1", Metadata: map[string]string{"k": "v"}}, {PubsubName: "ps", Topic: "t2"}}),
		encodeStrings(1, []string{"a", "bc"}),
		encodeInvokeBinding("b", []byte("hi"), map[string]string{"k": "v"}, "create"),
		encodePublish("ps", "t", []byte("{}"), "application/json", nil),
		encodeTopicEventResponse(TopicRetry),
		{0x52, 0x13, 0x0a, 0x11, 0x0a, 0x0b, 't', 'r', 'a', 'c', 'e', 'p', 'a', 'r', 'e', 'n', 't', 0x12, 0x02, 0x1a, 0x00}, // field 10: a Struct
		{0x0a}, {0x0a, 0x05, 'a'}, {0x08}, {0x0f}, {0x09, 1, 2, 3, 4, 5, 6, 7, 8}, {0x0d, 1, 2, 3, 4},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if ev, err := decodeBindingEvent(b); err == nil {
			back, err := decodeBindingEvent(encodeBindingEvent(ev))
			if err != nil || back.Name != ev.Name || !bytes.Equal(back.Data, ev.Data) || !reflect.DeepEqual(back.Metadata, ev.Metadata) {
				t.Fatalf("binding event %+v came back as %+v %v", ev, back, err)
			}
		}
		if ev, err := decodeTopicEvent(b); err == nil {
			back, err := decodeTopicEvent(encodeTopicEvent(ev))
			if err != nil {
				t.Fatal(err)
			}
			got := *back
			got.TraceParent, got.Data = ev.TraceParent, ev.Data // extensions are not re-encoded; data compares by content
			if !reflect.DeepEqual(got, *ev) || !bytes.Equal(ev.Data, back.Data) {
				t.Fatalf("topic event %+v came back as %+v", ev, back)
			}
		}
		if subs, err := decodeSubscriptions(b); err == nil {
			back, err := decodeSubscriptions(encodeSubscriptions(subs))
			if err != nil || !reflect.DeepEqual(back, subs) {
				t.Fatalf("subscriptions %+v came back as %+v %v", subs, back, err)
			}
		}
		if ss, err := decodeStrings(b, 1); err == nil {
			back, err := decodeStrings(encodeStrings(1, ss), 1)
			if err != nil || !reflect.DeepEqual(back, ss) {
				t.Fatalf("strings %q came back as %q %v", ss, back, err)
			}
		}
		if s, err := decodeTopicEventResponse(b); err == nil && s >= TopicSuccess && s <= TopicDrop {
			if back, err := decodeTopicEventResponse(encodeTopicEventResponse(s)); err != nil || back != s {
				t.Fatalf("topic status %v came back as %v %v", s, back, err)
			}
		}
		decodeInvokeBindingResponse(b)
		mapEntry(b)
		structString(b, "traceparent")
		if s := string(b); percentDecode(percentEncode(s)) != s {
			t.Fatalf("grpc-message %q does not survive percent-encoding", s)
		}
	})
}

// FuzzUnframe reads arbitrary bytes as a gRPC request body: never a panic,
// never a message over the limit, and an accepted message is exactly what
// the frame held.
func FuzzUnframe(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 2, 'h', 'i'}, uint16(16))
	f.Add([]byte{0, 0, 0, 0, 17}, uint16(16))
	f.Add([]byte{1, 0, 0, 0, 0}, uint16(16))
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff}, uint16(0))
	f.Add([]byte{}, uint16(16))
	f.Fuzz(func(t *testing.T, b []byte, max uint16) {
		msg, err := unframe(bytes.NewReader(b), int(max))
		if err != nil || msg == nil {
			return
		}
		if len(msg) > int(max) || !bytes.HasPrefix(b, frame(msg)) {
			t.Fatalf("unframe(%x, %d) = %x", b, max, msg)
		}
	})
}

// FuzzTopicEventFromHTTP decodes arbitrary bodies as the CloudEvent daprd
// posts for a subscription (APP_PROTOCOL=http).
func FuzzTopicEventFromHTTP(f *testing.F) {
	f.Add("application/cloudevents+json", []byte(`{"id":"7","data":"t","traceparent":"tp"}`))
	f.Add("application/cloudevents+json", []byte(`{"data_base64":"aGk="}`))
	f.Add("application/cloudevents+json", []byte(`{"datacontenttype":"text/plain","data":"\"s\""}`))
	f.Add("text/plain", []byte("raw"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		h := http.Header{"Content-Type": {contentType}}
		ev, err := topicEventFromHTTP(h, body, Subscription{PubsubName: "ps", Topic: "t"})
		if err == nil && (ev.PubsubName != "ps" || ev.Topic != "t") {
			t.Fatalf("event %+v is not on the subscription it came for", ev)
		}
	})
}
