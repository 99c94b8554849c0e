//go:build go1.24 && unix

package dapr

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/internal/testnet"
)

// listen serves app over h2c gRPC on a free port.
func listen(t *testing.T, serve func(context.Context, net.Listener) error) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { serve(ctx, ln); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return ln.Addr().String()
}

func TestAppCallbackOverGRPC(t *testing.T) {
	app := &App{
		Bindings:      []string{"mqtt-in"},
		Subscriptions: []Subscription{{PubsubName: "ps", Topic: "orders"}},
		OnBinding: func(ctx context.Context, ev *BindingEvent, h http.Header) ([]byte, error) {
			if string(ev.Data) == "fail" {
				return nil, errors.New("function answered 500")
			}
			return append([]byte(h.Get("Traceparent")+"|"), ev.Data...), nil
		},
		OnTopic: func(ctx context.Context, ev *TopicEvent, h http.Header) TopicStatus {
			if string(ev.Data) == "retry" {
				return TopicRetry
			}
			return TopicSuccess
		},
	}
	c := newGRPCClient(listen(t, app.ServeGRPC))
	t.Cleanup(c.http.CloseIdleConnections) // before the server's drain, which would wait for it
	ctx := context.Background()
	resp, err := c.call(ctx, appCallback+"ListInputBindings", nil, nil)
	if names, _ := decodeStrings(resp, 1); err != nil || len(names) != 1 || names[0] != "mqtt-in" {
		t.Fatalf("ListInputBindings: %v %v", names, err)
	}
	resp, err = c.call(ctx, appCallback+"ListTopicSubscriptions", nil, nil)
	if subs, _ := decodeSubscriptions(resp); err != nil || len(subs) != 1 || subs[0].Topic != "orders" {
		t.Fatalf("ListTopicSubscriptions: %v %v", subs, err)
	}
	h := http.Header{"Traceparent": {"tp"}}
	resp, err = c.call(ctx, appCallback+"OnBindingEvent", h, encodeBindingEvent(&BindingEvent{Name: "mqtt-in", Data: []byte("hi")}))
	if data, _ := decodeInvokeBindingResponse(append([]byte{}, resp...)); err != nil || data != nil {
		// BindingEventResponse.data is field 4, not InvokeBindingResponse's 1.
		t.Fatalf("OnBindingEvent: %x %v", resp, err)
	}
	fs, _ := fields(resp)
	if len(fs) != 1 || fs[0].num != 4 || string(fs[0].data) != "tp|hi" {
		t.Fatalf("OnBindingEvent response fields: %+v", fs)
	}
	_, err = c.call(ctx, appCallback+"OnBindingEvent", nil, encodeBindingEvent(&BindingEvent{Name: "mqtt-in", Data: []byte("fail")}))
	var st *Status
	if !errors.As(err, &st) || st.Code != codeInternal || st.Message != "function answered 500" {
		t.Fatalf("a failing function should be INTERNAL with its message, got %v", err)
	}
	_, err = c.call(ctx, appCallback+"OnBindingEvent", nil, encodeBindingEvent(&BindingEvent{Name: "other"}))
	if !errors.As(err, &st) || st.Code != codeUnimplemented || !strings.Contains(st.Message, `no input binding "other"`) {
		t.Fatalf("unknown binding: %v", err)
	}
	resp, err = c.call(ctx, appCallback+"OnTopicEvent", nil, encodeTopicEvent(&TopicEvent{Topic: "orders", PubsubName: "ps", Data: []byte("retry")}))
	if s, _ := decodeTopicEventResponse(resp); err != nil || s != TopicRetry {
		t.Fatalf("OnTopicEvent: %v %v", s, err)
	}
	_, err = c.call(ctx, "/dapr.proto.runtime.v1.AppCallbackHealthCheck/HealthCheck", nil, nil)
	if !errors.As(err, &st) || st.Code != codeUnimplemented {
		t.Fatalf("unknown method: %v", err)
	}
}

func TestClientSendsThroughDaprAPI(t *testing.T) {
	var got struct {
		name, op, traceparent string
		data                  []byte
	}
	addr := listen(t, func(ctx context.Context, ln net.Listener) error {
		return serveGRPC(ctx, ln, map[string]grpcMethod{
			"/dapr.proto.runtime.v1.Dapr/InvokeBinding": func(_ context.Context, h http.Header, req []byte) ([]byte, error) {
				fs, err := fields(req)
				if err != nil {
					return nil, err
				}
				for _, f := range fs {
					switch f.num {
					case 1:
						got.name = string(f.data)
					case 2:
						got.data = f.data
					case 4:
						got.op = string(f.data)
					}
				}
				got.traceparent = h.Get("Traceparent")
				var e encoder
				e.bytes(1, []byte("binding says ok"))
				return e.b, nil
			},
			"/dapr.proto.runtime.v1.Dapr/PublishEvent": func(context.Context, http.Header, []byte) ([]byte, error) {
				return nil, &Status{codeInvalidArg, "pubsub ps not found"}
			},
		})
	})
	c := &Client{Addr: addr, Wait: time.Second, rpc: newGRPCClient(addr)}
	t.Cleanup(c.rpc.http.CloseIdleConnections)
	resp, err := c.InvokeBinding(context.Background(), "mqtt-out", "create", []byte("raw bytes, not JSON"), nil, http.Header{"Traceparent": {"tp"}})
	if err != nil || string(resp) != "binding says ok" || got.name != "mqtt-out" || got.op != "create" || string(got.data) != "raw bytes, not JSON" || got.traceparent != "tp" {
		t.Fatalf("InvokeBinding: %q %v %+v", resp, err, got)
	}
	err = c.Publish(context.Background(), "ps", "t", []byte("x"), "text/plain", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "dapr publish to ps/t: gRPC status 3: pubsub ps not found") {
		t.Fatalf("Publish error: %v", err)
	}
}

// TestClientWaitIsBounded: with no daprd, a call fails after Wait with an
// error naming the env vars, rather than hanging.
func TestClientWaitIsBounded(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(testnet.RefusingPort(t))
	c := &Client{Addr: addr, Wait: 100 * time.Millisecond, rpc: newGRPCClient(addr)}
	done := make(chan error, 1)
	go func() {
		_, err := c.InvokeBinding(context.Background(), "b", "create", nil, nil, nil)
		done <- err
	}()
	select {
	case err := <-done:
		want := "dapr output binding \"b\" (operation \"create\"): daprd is not reachable at " + addr + " after 100ms (DAPR_HOST/DAPR_GRPC_PORT): "
		if !errors.Is(err, ErrSidecarUnreachable) || !strings.HasPrefix(err.Error(), want) {
			t.Fatalf("got %v\nwant ErrSidecarUnreachable: %s…", err, want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call was still waiting for daprd after 10s; its bound was 100ms")
	}
}
