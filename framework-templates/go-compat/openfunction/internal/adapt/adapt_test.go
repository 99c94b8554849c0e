package adapt

import (
	"context"
	"errors"
	"net/http"
	"testing"

	kce "kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/dapr"
	kofctx "kiln.dev/functions-framework-go/ofctx"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
)

// kiln is a Kiln Context for one invocation, as Kiln's runtime makes it.
type kiln struct {
	binding *dapr.BindingEvent
	topic   *dapr.TopicEvent
	sync    *kofctx.SyncRequest
	event   *kce.Event
	sent    map[string][]byte
}

func (k *kiln) GetNativeContext() context.Context   { return context.Background() }
func (k *kiln) GetName() string                     { return "fn" }
func (k *kiln) GetInputName() string                { return "in" }
func (k *kiln) GetBindingEvent() *dapr.BindingEvent { return k.binding }
func (k *kiln) GetTopicEvent() *dapr.TopicEvent     { return k.topic }
func (k *kiln) GetSyncRequest() *kofctx.SyncRequest { return k.sync }
func (k *kiln) GetCloudEvent() *kce.Event           { return k.event }
func (k *kiln) GetOutputs() []string                { return []string{"out"} }
func (k *kiln) ReturnOnSuccess() kofctx.Out         { return kofctx.Success() }
func (k *kiln) ReturnOnInternalError() kofctx.Out   { return kofctx.InternalError() }
func (k *kiln) Send(o string, data []byte) ([]byte, error) {
	if o != "out" {
		return nil, errors.New("no output " + o)
	}
	k.sent[o] = data
	return []byte("ack"), nil
}

// run calls fn through Kiln's adapter and returns what it saw.
func run(t *testing.T, k *kiln, fn Function) kofctx.Out {
	t.Helper()
	k.sent = map[string][]byte{}
	out, err := Kiln(fn)(k, inputOf(k))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func inputOf(k *kiln) []byte {
	switch {
	case k.binding != nil:
		return k.binding.Data
	case k.topic != nil:
		return k.topic.Data
	case k.event != nil:
		return k.event.Data
	}
	return nil
}

func TestBindingEvent(t *testing.T) {
	var got []byte
	var be *ofctx.BindingEvent
	k := &kiln{binding: &dapr.BindingEvent{Name: "mqtt-in", Data: []byte("hello"), Metadata: map[string]string{"topic": "in"}}}
	out := run(t, k, func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		got, be = in, ctx.GetBindingEvent()
		if r, err := ctx.Send("out", in); err != nil || string(r) != "ack" {
			return nil, err
		}
		if ctx.GetCloudEvent() != nil {
			return nil, errors.New("a binding event has no CloudEvent in OpenFunction")
		}
		return ctx.ReturnOnSuccess().WithData([]byte("done")), nil
	})
	if string(got) != "hello" || string(be.Data) != "hello" || be.Metadata["topic"] != "in" || string(k.sent["out"]) != "hello" {
		t.Fatalf("function saw %q %+v, sent %q", got, be, k.sent)
	}
	if out.GetCode() != 200 || string(out.GetData()) != "done" {
		t.Fatalf("out %+v", out.GetOut())
	}
}

// An OpenFunction function with SkyWalking on sends its data wrapped in an
// inner event; the next function gets the user data, and the metadata.
func TestInnerEventIsOpened(t *testing.T) {
	env := `{"specversion":"1.0","id":"1","source":"ns/up","type":"io.openfunction.function.ns.up","datacontenttype":"application/json",` +
		`"data":{"metadata":{"sw8":"x"},"userData":"eyJtZXNzYWdlIjoiaGkifQ=="}}`
	var got []byte
	var md map[string]string
	run(t, &kiln{binding: &dapr.BindingEvent{Data: []byte(env)}}, func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		got, md = in, ctx.GetInnerEvent().GetMetadata()
		return nil, nil
	})
	if string(got) != `{"message":"hi"}` || md["sw8"] != "x" {
		t.Fatalf("function got %q, metadata %v", got, md)
	}
	// Plain JSON is not an envelope: it arrives as it is.
	run(t, &kiln{binding: &dapr.BindingEvent{Data: []byte(`{"message":"hi"}`)}}, func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		got = in
		return nil, nil
	})
	if string(got) != `{"message":"hi"}` {
		t.Fatalf("plain JSON became %q", got)
	}
}

func TestTopicEvent(t *testing.T) {
	for _, tt := range []struct {
		ct, data string
		want     interface{}
	}{
		{"application/json", `{"order":1}`, map[string]interface{}{"order": float64(1)}},
		{"text/plain", "hi", "hi"},
		{"application/octet-stream", "\x01\x02", []byte{1, 2}},
	} {
		var te *ofctx.TopicEvent
		run(t, &kiln{topic: &dapr.TopicEvent{ID: "t1", Topic: "orders", PubsubName: "redis", DataContentType: tt.ct, Data: []byte(tt.data)}},
			func(ctx ofctx.Context, in []byte) (ofctx.Out, error) { te = ctx.GetTopicEvent(); return nil, nil })
		if te.ID != "t1" || te.Topic != "orders" || te.PubsubName != "redis" || string(te.RawData) != tt.data {
			t.Fatalf("%s: %+v", tt.ct, te)
		}
		switch w := tt.want.(type) {
		case map[string]interface{}:
			if m, ok := te.Data.(map[string]interface{}); !ok || m["order"] != w["order"] {
				t.Errorf("%s: Data %#v", tt.ct, te.Data)
			}
		case string:
			if te.Data != w {
				t.Errorf("%s: Data %#v", tt.ct, te.Data)
			}
		case []byte:
			if b, ok := te.Data.([]byte); !ok || string(b) != string(w) {
				t.Errorf("%s: Data %#v", tt.ct, te.Data)
			}
		}
	}
}

func TestHTTPCallWithoutEventHasOne(t *testing.T) {
	r, _ := http.NewRequest("POST", "/", nil)
	var ceID string
	var nilCE bool
	run(t, &kiln{sync: &kofctx.SyncRequest{Request: r}}, func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		ce := ctx.GetCloudEvent()
		nilCE = ce == nil
		if ce != nil {
			ceID = ce.ID()
		}
		return nil, nil
	})
	if nilCE || ceID != "" {
		t.Fatalf("a plain HTTP call should get an empty CloudEvent, got nil=%v id=%q", nilCE, ceID)
	}
}

func TestOutConversion(t *testing.T) {
	if ToKiln(nil) != nil {
		t.Fatal("nil Out should stay nil")
	}
	e := errors.New("x")
	o := ToKiln(&ofctx.FunctionOut{Code: 202, Data: []byte("d"), Error: e, Metadata: map[string]string{"retry": "true"}}).GetOut()
	if o.Code != 202 || string(o.Data) != "d" || o.Error != e || o.Metadata["retry"] != "true" {
		t.Fatalf("%+v", o)
	}
}
