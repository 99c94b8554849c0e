package daprwire

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	runtimev1 "github.com/dapr/dapr/pkg/proto/runtime/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"kiln.dev/functions-framework-go/dapr"
)

// daprd stands in for daprd's gRPC API with Dapr's own generated server:
// it records what the framework's client sent, decoded by Dapr's types.
type daprd struct {
	runtimev1.UnimplementedDaprServer
	mu        sync.Mutex
	bindings  []*runtimev1.InvokeBindingRequest
	publishes []*runtimev1.PublishEventRequest
}

func (d *daprd) InvokeBinding(_ context.Context, req *runtimev1.InvokeBindingRequest) (*runtimev1.InvokeBindingResponse, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bindings = append(d.bindings, proto.Clone(req).(*runtimev1.InvokeBindingRequest))
	return &runtimev1.InvokeBindingResponse{Data: append([]byte("ack:"), req.Data...), Metadata: map[string]string{"answered": req.Name}}, nil
}

func (d *daprd) PublishEvent(_ context.Context, req *runtimev1.PublishEventRequest) (*emptypb.Empty, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.publishes = append(d.publishes, proto.Clone(req).(*runtimev1.PublishEventRequest))
	return &emptypb.Empty{}, nil
}

// serve runs s on a fresh 127.0.0.1 listener until the test ends.
func serve(t *testing.T, s *grpc.Server) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ln) }()
	t.Cleanup(func() { s.Stop(); <-done })
	return ln.Addr().String()
}

// big is a payload larger than one HTTP/2 frame and with every byte value.
func big() []byte {
	b := make([]byte, 70_000)
	for i := range b {
		b[i] = byte(i)
	}
	return b
}

// TestClientToDaprd: what the framework's client encodes, Dapr's generated
// types decode to the same request; the response goes back the other way.
func TestClientToDaprd(t *testing.T) {
	d := &daprd{}
	s := grpc.NewServer()
	runtimev1.RegisterDaprServer(s, d)
	addr := serve(t, s)
	host, port, _ := net.SplitHostPort(addr)
	t.Setenv("DAPR_HOST", host)
	t.Setenv("DAPR_GRPC_PORT", port)
	t.Setenv("DAPR_WAIT_TIMEOUT", "5s")
	c, err := dapr.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	bindings := []*runtimev1.InvokeBindingRequest{
		{Name: "kafka-out", Operation: "create", Data: []byte(`{"n":1}`), Metadata: map[string]string{"key": "order-1", "partitionKey": "p"}},
		{Name: "empty", Operation: "get"},
		{Name: "ünïcode-名前", Operation: "post", Data: big(), Metadata: map[string]string{"": "empty key", "k": ""}},
	}
	for i, want := range bindings {
		resp, err := c.InvokeBinding(ctx, want.Name, want.Operation, want.Data, want.Metadata, http.Header{})
		if err != nil {
			t.Fatalf("InvokeBinding %d: %v", i, err)
		}
		if !bytes.Equal(resp, append([]byte("ack:"), want.Data...)) {
			t.Errorf("InvokeBinding %d: response data %d bytes, want ack: + the %d sent", i, len(resp), len(want.Data))
		}
	}
	publishes := []*runtimev1.PublishEventRequest{
		{PubsubName: "redis", Topic: "orders", Data: []byte("hello"), DataContentType: "text/plain", Metadata: map[string]string{"ttlInSeconds": "60"}},
		{PubsubName: "kafka", Topic: "sensors/+/in #", Data: big(), DataContentType: "application/octet-stream"},
		{PubsubName: "p", Topic: "t"},
	}
	for i, want := range publishes {
		if err := c.Publish(ctx, want.PubsubName, want.Topic, want.Data, want.DataContentType, want.Metadata, http.Header{}); err != nil {
			t.Fatalf("Publish %d: %v", i, err)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.bindings) != len(bindings) || len(d.publishes) != len(publishes) {
		t.Fatalf("daprd got %d bindings and %d publishes, want %d and %d", len(d.bindings), len(d.publishes), len(bindings), len(publishes))
	}
	for i := range bindings {
		if !proto.Equal(d.bindings[i], bindings[i]) {
			t.Errorf("InvokeBindingRequest %d as Dapr decodes it:\n got %v\nwant %v", i, short(d.bindings[i]), short(bindings[i]))
		}
	}
	for i := range publishes {
		if !proto.Equal(d.publishes[i], publishes[i]) {
			t.Errorf("PublishEventRequest %d as Dapr decodes it:\n got %v\nwant %v", i, short(d.publishes[i]), short(publishes[i]))
		}
	}
}

// short prints m without megabytes of payload.
func short(m proto.Message) string {
	s := strings.ReplaceAll(m.(interface{ String() string }).String(), "\\", "")
	if len(s) > 400 {
		s = s[:400] + "…"
	}
	return s
}

// TestDaprToApp: what Dapr's generated AppCallback client encodes, the
// framework's app server decodes to the same event; its answers decode with
// Dapr's types.
func TestDaprToApp(t *testing.T) {
	var mu sync.Mutex
	var gotBinding *dapr.BindingEvent
	var gotTopic *dapr.TopicEvent
	var status dapr.TopicStatus
	app := &dapr.App{
		Bindings: []string{"cron-in", "kafka-in"},
		Subscriptions: []dapr.Subscription{{PubsubName: "redis", Topic: "orders", Metadata: map[string]string{"rawPayload": "true"}},
			{PubsubName: "kafka", Topic: "logs"}},
		OnBinding: func(_ context.Context, ev *dapr.BindingEvent, _ http.Header) ([]byte, error) {
			mu.Lock()
			defer mu.Unlock()
			gotBinding = ev
			return append([]byte("done:"), ev.Data...), nil
		},
		OnTopic: func(_ context.Context, ev *dapr.TopicEvent, _ http.Header) dapr.TopicStatus {
			mu.Lock()
			defer mu.Unlock()
			gotTopic = ev
			return status
		},
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	served := make(chan error, 1)
	go func() { served <- app.ServeGRPC(ctx, ln) }()
	defer func() { cancel(); <-served }()
	conn, err := grpc.NewClient(ln.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	cb := runtimev1.NewAppCallbackClient(conn)

	ib, err := cb.ListInputBindings(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ib.Bindings, ",") != "cron-in,kafka-in" {
		t.Errorf("ListInputBindings as Dapr decodes it: %v", ib.Bindings)
	}
	subs, err := cb.ListTopicSubscriptions(ctx, &emptypb.Empty{})
	if err != nil {
		t.Fatal(err)
	}
	wantSubs := []*runtimev1.TopicSubscription{{PubsubName: "redis", Topic: "orders", Metadata: map[string]string{"rawPayload": "true"}}, {PubsubName: "kafka", Topic: "logs"}}
	if len(subs.Subscriptions) != len(wantSubs) {
		t.Fatalf("ListTopicSubscriptions as Dapr decodes it: %v", subs.Subscriptions)
	}
	for i, w := range wantSubs {
		if !proto.Equal(subs.Subscriptions[i], w) {
			t.Errorf("subscription %d as Dapr decodes it: got %v want %v", i, subs.Subscriptions[i], w)
		}
	}

	for i, req := range []*runtimev1.BindingEventRequest{
		{Name: "kafka-in", Data: []byte(`{"order":7}`), Metadata: map[string]string{"partition": "3", "offset": "99"}},
		{Name: "cron-in"},
		{Name: "kafka-in", Data: big(), Metadata: map[string]string{"": "", "ключ": "значение"}},
	} {
		resp, err := cb.OnBindingEvent(ctx, req)
		if err != nil {
			t.Fatalf("OnBindingEvent %d: %v", i, err)
		}
		mu.Lock()
		ev := gotBinding
		mu.Unlock()
		if ev == nil || ev.Name != req.Name || !bytes.Equal(ev.Data, req.Data) || !sameMap(ev.Metadata, req.Metadata) {
			t.Errorf("OnBindingEvent %d: the framework decoded %+v from %v", i, ev, short(req))
		}
		if !bytes.Equal(resp.Data, append([]byte("done:"), req.Data...)) {
			t.Errorf("OnBindingEvent %d: BindingEventResponse.data as Dapr decodes it: %d bytes", i, len(resp.Data))
		}
	}

	ext, err := structpb.NewStruct(map[string]any{"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "other": 1.5})
	if err != nil {
		t.Fatal(err)
	}
	for i, tc := range []struct {
		req    *runtimev1.TopicEventRequest
		status dapr.TopicStatus
		want   runtimev1.TopicEventResponse_TopicEventResponseStatus
	}{
		{&runtimev1.TopicEventRequest{Id: "e-1", Source: "orders-svc", Type: "com.dapr.event.sent", SpecVersion: "1.0", DataContentType: "application/json",
			Data: []byte(`{"n":1}`), Topic: "orders", PubsubName: "redis", Path: "/redis/orders", Extensions: ext}, dapr.TopicSuccess, runtimev1.TopicEventResponse_SUCCESS},
		{&runtimev1.TopicEventRequest{Id: "e-2", Topic: "logs", PubsubName: "kafka", Data: big()}, dapr.TopicRetry, runtimev1.TopicEventResponse_RETRY},
		{&runtimev1.TopicEventRequest{Id: "e-3", Topic: "logs", PubsubName: "kafka"}, dapr.TopicDrop, runtimev1.TopicEventResponse_DROP},
	} {
		mu.Lock()
		status = tc.status
		mu.Unlock()
		resp, err := cb.OnTopicEvent(ctx, tc.req)
		if err != nil {
			t.Fatalf("OnTopicEvent %d: %v", i, err)
		}
		if resp.Status != tc.want {
			t.Errorf("OnTopicEvent %d: TopicEventResponse.status as Dapr decodes it: %v, want %v", i, resp.Status, tc.want)
		}
		mu.Lock()
		ev := gotTopic
		mu.Unlock()
		r := tc.req
		want := dapr.TopicEvent{ID: r.Id, Source: r.Source, Type: r.Type, SpecVersion: r.SpecVersion, DataContentType: r.DataContentType,
			Data: r.Data, Topic: r.Topic, PubsubName: r.PubsubName, Path: r.Path}
		if tp, ok := r.Extensions.GetFields()["traceparent"]; ok {
			want.TraceParent = tp.GetStringValue()
		}
		if ev == nil || !sameTopicEvent(*ev, want) {
			t.Errorf("OnTopicEvent %d: the framework decoded %+v, want %+v", i, trim(ev), trim(&want))
		}
	}
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func sameTopicEvent(a, b dapr.TopicEvent) bool {
	eq := bytes.Equal(a.Data, b.Data)
	a.Data, b.Data = nil, nil
	return eq && reflect.DeepEqual(a, b)
}

// trim is ev without its payload, for messages.
func trim(ev *dapr.TopicEvent) string {
	if ev == nil {
		return "<nil>"
	}
	c := *ev
	c.Data = nil
	return fmt.Sprintf("%+v (and %d bytes of data)", c, len(ev.Data))
}
