//go:build go1.24 && unix

package dapr

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
)

// recorder is an App whose functions record what they got.
type recorder struct {
	mu     sync.Mutex
	events []string
}

func (rec *recorder) app(bindings []string, subs []Subscription) *App {
	return &App{Bindings: bindings, Subscriptions: subs, MaxBodyBytes: 64,
		OnBinding: func(ctx context.Context, ev *BindingEvent, h http.Header) ([]byte, error) {
			rec.add("binding " + ev.Name + " " + string(ev.Data) + " md=" + ev.Metadata["X-Md"] + " tp=" + h.Get("Traceparent"))
			if string(ev.Data) == "fail" {
				return nil, errors.New("function failed")
			}
			return []byte("answer to " + string(ev.Data)), nil
		},
		OnTopic: func(ctx context.Context, ev *TopicEvent, h http.Header) TopicStatus {
			rec.add("topic " + ev.PubsubName + "/" + ev.Topic + " " + string(ev.Data) + " id=" + ev.ID + " tp=" + h.Get("Traceparent"))
			return TopicSuccess
		},
	}
}

func (rec *recorder) add(s string) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.events = append(rec.events, s)
}

func (rec *recorder) take() []string {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	e := rec.events
	rec.events = nil
	return e
}

type unsized struct{ io.Reader }

func call(t *testing.T, method, url, contentType string, body io.Reader, header map[string]string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, body)
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestAppOverHTTP(t *testing.T) {
	rec := &recorder{}
	app := rec.app([]string{"mqtt-in"}, []Subscription{{PubsubName: "ps", Topic: "orders"}, {PubsubName: "mqtt", Topic: "sample/#"}})
	base := "http://" + listen(t, app.ServeHTTP)
	for _, tt := range []struct {
		name, method, path, contentType, body string
		header                                map[string]string
		code                                  int
		resp                                  string
		events                                []string
	}{
		{"subscriptions", "GET", "/dapr/subscribe", "", "", nil, 200,
			`[{"pubsubname":"ps","topic":"orders","route":"/dapr/topics/ps/orders"},{"pubsubname":"mqtt","topic":"sample/#","route":"/dapr/topics/mqtt/sample/%23"}]` + "\n", nil},
		{"binding probe", "OPTIONS", "/mqtt-in", "", "", nil, 200, "", nil},
		{"binding event", "POST", "/mqtt-in", "text/plain", "hi", map[string]string{"X-Md": "m", "Traceparent": "tp1"}, 200, "answer to hi",
			[]string{"binding mqtt-in hi md=m tp=tp1"}},
		{"binding PUT", "PUT", "/mqtt-in", "text/plain", "put", nil, 200, "answer to put", []string{"binding mqtt-in put md= tp="}},
		{"binding 64 bytes", "POST", "/mqtt-in", "text/plain", strings.Repeat("b", 64), nil, 200, "answer to " + strings.Repeat("b", 64),
			[]string{"binding mqtt-in " + strings.Repeat("b", 64) + " md= tp="}},
		{"binding 65 bytes", "POST", "/mqtt-in", "text/plain", strings.Repeat("b", 65), nil, 413, "request body is larger than 64 bytes (KILN_MAX_BODY_BYTES)\n", nil},
		{"binding failure", "POST", "/mqtt-in", "text/plain", "fail", nil, 500, "function failed\n", []string{"binding mqtt-in fail md= tp="}},
		{"binding GET", "GET", "/mqtt-in", "", "", nil, 405, "bindings deliver with POST\n", nil},
		{"topic raw payload", "POST", "/dapr/topics/ps/orders", "application/octet-stream", "raw", nil, 200, `{"status":"SUCCESS"}`,
			[]string{"topic ps/orders raw id= tp="}},
		{"topic CloudEvent", "POST", "/dapr/topics/ps/orders", "application/cloudevents+json", `{"id":"7","data":"t","traceparent":"tp2"}`, nil, 200, `{"status":"SUCCESS"}`,
			[]string{"topic ps/orders t id=7 tp=tp2"}},
		{"topic CloudEvent, header trace wins", "POST", "/dapr/topics/ps/orders", "application/cloudevents+json", `{"data":{"a":1},"traceparent":"tp2"}`,
			map[string]string{"Traceparent": "tp3"}, 200, `{"status":"SUCCESS"}`, []string{`topic ps/orders {"a":1} id= tp=tp3`}},
		{"topic base64", "POST", "/dapr/topics/mqtt/sample/%23", "application/cloudevents+json", `{"data_base64":"aGk="}`, nil, 200, `{"status":"SUCCESS"}`,
			[]string{"topic mqtt/sample/# hi id= tp="}},
		{"topic JSON string data", "POST", "/dapr/topics/ps/orders", "application/cloudevents+json", `{"datacontenttype":"application/json","data":"\"s\""}`, nil, 200,
			`{"status":"SUCCESS"}`, []string{`topic ps/orders "\"s\"" id= tp=`}},
		{"topic bad JSON", "POST", "/dapr/topics/ps/orders", "application/cloudevents+json", `{"data":`, nil, 200, `{"status":"DROP"}`, nil},
		{"topic bad base64", "POST", "/dapr/topics/ps/orders", "application/cloudevents+json", `{"data_base64":"!"}`, nil, 200, `{"status":"DROP"}`, nil},
		{"topic 64 bytes", "POST", "/dapr/topics/ps/orders", "text/plain", strings.Repeat("t", 64), nil, 200, `{"status":"SUCCESS"}`,
			[]string{"topic ps/orders " + strings.Repeat("t", 64) + " id= tp="}},
		{"topic 65 bytes", "POST", "/dapr/topics/ps/orders", "text/plain", strings.Repeat("t", 65), nil, 200, `{"status":"DROP"}`, nil},
		{"topic GET", "GET", "/dapr/topics/ps/orders", "", "", nil, 405, "Dapr delivers messages with POST\n", nil},
		{"unknown path", "POST", "/other", "text/plain", "x", nil, 404, "404 page not found\n", nil},
	} {
		code, resp := call(t, tt.method, base+tt.path, tt.contentType, strings.NewReader(tt.body), tt.header)
		events := rec.take()
		if code != tt.code || resp != tt.resp || strings.Join(events, "|") != strings.Join(tt.events, "|") {
			t.Errorf("%s: %d %q %q\nwant %d %q %q", tt.name, code, resp, events, tt.code, tt.resp, tt.events)
		}
	}
	// A body whose length is not declared is bounded as it is read.
	if code, _ := call(t, "POST", base+"/mqtt-in", "text/plain", unsized{strings.NewReader(strings.Repeat("c", 65))}, nil); code != 413 {
		t.Errorf("chunked 65 bytes to a binding: %d", code)
	}
	if _, resp := call(t, "POST", base+"/dapr/topics/ps/orders", "text/plain", unsized{strings.NewReader(strings.Repeat("c", 65))}, nil); resp != `{"status":"DROP"}` {
		t.Errorf("chunked 65 bytes to a topic: %q", resp)
	}
	if e := rec.take(); len(e) != 0 {
		t.Errorf("oversized events reached the function: %q", e)
	}
}

// TestDuplicateInputsAreAStartError: two inputs on one path would leave one
// of them without events (and made Go's ServeMux panic); both protocols
// refuse them before serving and release the listener.
func TestDuplicateInputsAreAStartError(t *testing.T) {
	rec := &recorder{}
	for _, tt := range []struct {
		name     string
		bindings []string
		subs     []Subscription
		want     string
	}{
		{"one binding twice", []string{"in", "in"}, nil,
			`dapr app: input binding "in" and input binding "in" are both delivered on /in; declare each binding and pub/sub topic once`},
		{"one topic twice", nil, []Subscription{{PubsubName: "ps", Topic: "t"}, {PubsubName: "ps", Topic: "t"}},
			"dapr app: subscription ps/t and subscription ps/t are both delivered on /dapr/topics/ps/t; declare each binding and pub/sub topic once"},
		{"a binding on the subscription list's path", []string{"dapr/subscribe"}, nil,
			`dapr app: the subscription list and input binding "dapr/subscribe" are both delivered on /dapr/subscribe; declare each binding and pub/sub topic once`},
		{"a binding on a topic's path", []string{"dapr/topics/ps/t"}, []Subscription{{PubsubName: "ps", Topic: "t"}},
			`dapr app: input binding "dapr/topics/ps/t" and subscription ps/t are both delivered on /dapr/topics/ps/t; declare each binding and pub/sub topic once`},
	} {
		for name, serve := range map[string]func(*App) func(context.Context, net.Listener) error{
			"http": func(a *App) func(context.Context, net.Listener) error { return a.ServeHTTP },
			"grpc": func(a *App) func(context.Context, net.Listener) error { return a.ServeGRPC },
		} {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			err = serve(rec.app(tt.bindings, tt.subs))(context.Background(), ln)
			if err == nil || err.Error() != tt.want {
				t.Errorf("%s over %s: %v\nwant %s", tt.name, name, err, tt.want)
			}
			if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
				c.Close()
				t.Errorf("%s over %s: the listener was left open", tt.name, name)
			}
		}
	}
}
