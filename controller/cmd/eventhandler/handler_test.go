package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
)

// recorder is a real HTTP server standing in for daprd's publish API or a
// sink: it records every request and answers with status.
type recorder struct {
	mu     sync.Mutex
	got    []string // "<path> <type> <subject>"
	status int
	srv    *httptest.Server
}

func newRecorder(t *testing.T) *recorder {
	rec := &recorder{status: http.StatusOK}
	rec.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		e, err := parseEvent(b)
		line := r.URL.Path + " "
		if err != nil || r.Header.Get("Content-Type") != contentTypeCE {
			line += "not-a-cloudevent"
		} else {
			line += e.str("type") + " " + e.str("subject")
		}
		rec.mu.Lock()
		rec.got = append(rec.got, line)
		st := rec.status
		rec.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(rec.srv.Close)
	return rec
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func serve(t *testing.T, cfg *handlerconfig.Config, dapr string, now func() time.Time) *httptest.Server {
	t.Helper()
	mux, err := newMux(cfg, &sender{client: &http.Client{}, dapr: dapr}, now)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func post(t *testing.T, url, ctype, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url, ctype, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestEventSourcePublishesAndSinks(t *testing.T) {
	dapr, sink := newRecorder(t), newRecorder(t)
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindEventSource, Namespace: "default", Name: "es", PubSub: "bus",
		SinkURL: sink.srv.URL + "/in",
		Sources: []handlerconfig.Source{{Event: "tick", Kind: "cron", Route: "/sources/cron/tick", Topic: "default-es-tick"},
			{Event: "jobs", Kind: "redis", Route: "/sources/redis/jobs", Topic: "default-es-jobs", SubscribePubSub: "es-redis-jobs", SubscribeTopic: "jobs"}}}
	h := serve(t, cfg, dapr.srv.URL, time.Now)
	if code, _ := post(t, h.URL+"/sources/cron/tick", "application/json", `{"n":1}`); code != 200 {
		t.Fatalf("status %d", code)
	}
	if got := dapr.take(); len(got) != 1 || got[0] != "/v1.0/publish/bus/default-es-tick dev.kiln.events.cron tick" {
		t.Errorf("publishes = %q", got)
	}
	if got := sink.take(); len(got) != 1 || got[0] != "/in dev.kiln.events.cron tick" {
		t.Errorf("sink got %q", got)
	}
	// daprd's subscription list names the Redis Streams source only, raw.
	resp, err := http.Get(h.URL + "/dapr/subscribe")
	if err != nil {
		t.Fatal(err)
	}
	var subs []subscription
	_ = json.NewDecoder(resp.Body).Decode(&subs)
	resp.Body.Close()
	if len(subs) != 1 || subs[0].Topic != "jobs" || subs[0].PubSub != "es-redis-jobs" || subs[0].Metadata["rawPayload"] != "true" {
		t.Errorf("subscriptions = %+v", subs)
	}
	// A bus failure answers 500 so daprd redelivers.
	dapr.mu.Lock()
	dapr.status = http.StatusServiceUnavailable
	dapr.mu.Unlock()
	if code, body := post(t, h.URL+"/sources/cron/tick", "text/plain", "x"); code != 500 || !strings.Contains(body, "publish to bus/default-es-tick") {
		t.Errorf("bus down: %d %s", code, body)
	}
	if got := sink.take(); len(got) != 0 {
		t.Errorf("sink got %q although the bus failed", got)
	}
}

func event(typ string) string {
	return `{"specversion":"1.0","id":"1","source":"s","type":"` + typ + `","subject":"tick","tier":"gold","topic":"t","pubsubname":"bus"}`
}

func TestTriggerConditionsAndWindow(t *testing.T) {
	dapr, sinkAny, sinkGold := newRecorder(t), newRecorder(t), newRecorder(t)
	var mu sync.Mutex
	now := time.Unix(1000, 0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindTrigger, Namespace: "default", Name: "tr", PubSub: "bus", InputWindow: "10s",
		Inputs: []handlerconfig.Input{{Name: "A", Topic: "default-es-a", Route: "/inputs/A"}, {Name: "B", Topic: "default-es-b", Route: "/inputs/B"}},
		Subscribers: []handlerconfig.Subscriber{
			{Condition: "A || B", SinkURL: sinkAny.srv.URL},
			{Condition: "A && B", Topic: "both"},
			{Condition: `extensions.tier == "gold" && type != "skip"`, SinkURL: sinkGold.srv.URL},
		}}
	h := serve(t, cfg, dapr.srv.URL, clock)

	if _, body := post(t, h.URL+"/inputs/A", contentTypeCE, event("x")); !strings.Contains(body, "SUCCESS") {
		t.Fatalf("A: %s", body)
	}
	if a, both, g := len(sinkAny.take()), len(dapr.take()), len(sinkGold.take()); a != 1 || both != 0 || g != 1 {
		t.Errorf("after A: any=%d both=%d gold=%d, want 1 0 1", a, both, g)
	}
	advance(5 * time.Second)
	post(t, h.URL+"/inputs/B", contentTypeCE, event("skip"))
	if a, both, g := sinkAny.take(), dapr.take(), sinkGold.take(); len(a) != 1 || len(both) != 1 || both[0] != "/v1.0/publish/bus/both skip tick" || len(g) != 0 {
		t.Errorf("after B within the window: any=%q both=%q gold=%q", a, both, g)
	}
	advance(11 * time.Second) // A (16s ago) left the window, B (11s) too
	post(t, h.URL+"/inputs/B", contentTypeCE, event("skip"))
	if both := dapr.take(); len(both) != 0 {
		t.Errorf("A && B matched with A outside the window: %q", both)
	}
	// Subscriptions for daprd.
	resp, _ := http.Get(h.URL + "/dapr/subscribe")
	var subs []subscription
	_ = json.NewDecoder(resp.Body).Decode(&subs)
	resp.Body.Close()
	if len(subs) != 2 || subs[1].Topic != "default-es-b" || subs[1].Route != "/inputs/B" || subs[1].PubSub != "bus" {
		t.Errorf("subscriptions = %+v", subs)
	}
}

func TestTriggerFailures(t *testing.T) {
	dapr, sink, dead := newRecorder(t), newRecorder(t), newRecorder(t)
	sink.status = http.StatusBadGateway
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindTrigger, Namespace: "default", Name: "tr", PubSub: "bus",
		Inputs:      []handlerconfig.Input{{Name: "A", Topic: "a", Route: "/inputs/A"}},
		Subscribers: []handlerconfig.Subscriber{{Condition: "A", SinkURL: sink.srv.URL, DeadLetterSinkURL: dead.srv.URL + "/dl"}}}
	h := serve(t, cfg, dapr.srv.URL, time.Now)
	// The sink fails: the event goes to the dead letter sink, daprd is told SUCCESS.
	if code, body := post(t, h.URL+"/inputs/A", contentTypeCE, event("x")); code != 200 || !strings.Contains(body, "SUCCESS") {
		t.Errorf("dead letter: %d %s", code, body)
	}
	if got := dead.take(); len(got) != 1 || got[0] != "/dl x tick" {
		t.Errorf("dead letters = %q", got)
	}
	// Both fail: RETRY with a 500 so daprd redelivers.
	dead.status = http.StatusInternalServerError
	if code, body := post(t, h.URL+"/inputs/A", contentTypeCE, event("x")); code != 500 || !strings.Contains(body, "RETRY") || !strings.Contains(body, "dead letter") {
		t.Errorf("both down: %d %s", code, body)
	}
	// Not a CloudEvent: DROP (redelivery cannot fix it).
	if _, body := post(t, h.URL+"/inputs/A", contentTypeCE, `{"id":"1"}`); !strings.Contains(body, "DROP") || !strings.Contains(body, "specversion is missing") {
		t.Errorf("bad event: %s", body)
	}
}

func TestNewMuxRejectsBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  handlerconfig.Config
		want string
	}{
		{handlerconfig.Config{Kind: handlerconfig.KindTrigger, Inputs: []handlerconfig.Input{{Name: "A"}},
			Subscribers: []handlerconfig.Subscriber{{Condition: "A > 1"}}}, "subscribers[0]: condition"},
		{handlerconfig.Config{Kind: handlerconfig.KindTrigger, InputWindow: "soon"}, "inputWindow"},
	} {
		if _, err := newMux(&tc.cfg, &sender{}, time.Now); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("newMux(%+v) = %v, want %q", tc.cfg, err, tc.want)
		}
	}
}

// TestEventSourceUnwrapsRawPayload: a Redis Streams entry arrives from daprd
// as a CloudEvent carrying the entry in data_base64 (rawPayload); the event
// published carries the entry itself as its data.
func TestEventSourceUnwrapsRawPayload(t *testing.T) {
	var mu sync.Mutex
	var published []map[string]any
	dapr := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		_ = json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		published = append(published, m)
		mu.Unlock()
	}))
	t.Cleanup(dapr.Close)
	cfg := &handlerconfig.Config{Kind: handlerconfig.KindEventSource, Namespace: "default", Name: "es", PubSub: "bus",
		Sources: []handlerconfig.Source{{Event: "jobs", Kind: "redis", Route: "/sources/redis/jobs", Topic: "t"}}}
	h := serve(t, cfg, dapr.URL, time.Now)
	for _, tc := range []struct {
		name, body, ctype string
		code              int
		data              any
	}{
		{"base64 JSON", `{"specversion":"1.0","id":"1","source":"redis","type":"com.dapr.event.sent","datacontenttype":"application/octet-stream","data_base64":"eyJqb2IiOjF9"}`,
			contentTypeCE + "; charset=utf-8", 200, map[string]any{"job": float64(1)}},
		{"string data", `{"specversion":"1.0","id":"2","source":"redis","type":"x","data":"hello"}`, contentTypeCE, 200, "hello"},
		{"bad base64", `{"specversion":"1.0","id":"3","source":"redis","type":"x","data_base64":"!!"}`, contentTypeCE, 400, nil},
		{"not a CloudEvent", `{"id":"4"}`, contentTypeCE, 400, nil},
	} {
		mu.Lock()
		published = nil
		mu.Unlock()
		code, body := post(t, h.URL+"/sources/redis/jobs", tc.ctype, tc.body)
		if code != tc.code {
			t.Errorf("%s: status %d (%s), want %d", tc.name, code, body, tc.code)
			continue
		}
		mu.Lock()
		if tc.code == 200 && (len(published) != 1 || !reflect.DeepEqual(published[0]["data"], tc.data)) {
			t.Errorf("%s: published %v, want data %v", tc.name, published, tc.data)
		}
		mu.Unlock()
	}
}

// TestServiceInvocationIsRefused: a request daprd relays from a service
// invocation (it names the calling app) publishes nothing and reaches no
// sink, on an EventSource's source route and a Trigger's input route;
// the same request as a binding delivery is served.
func TestServiceInvocationIsRefused(t *testing.T) {
	dapr, sink := newRecorder(t), newRecorder(t)
	es := &handlerconfig.Config{Kind: handlerconfig.KindEventSource, Namespace: "default", Name: "es", PubSub: "bus",
		SinkURL: sink.srv.URL + "/in",
		Sources: []handlerconfig.Source{{Event: "tick", Kind: "cron", Route: "/sources/cron/tick", Topic: "default.es.tick"}}}
	h := serve(t, es, dapr.srv.URL, time.Now)
	req, _ := http.NewRequest(http.MethodPost, h.URL+"/sources/cron/tick", strings.NewReader(`{"n":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("dapr-caller-app-id", "other-namespace-app")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "other-namespace-app") {
		t.Fatalf("invocation answered %d %q; want 403 naming the caller", resp.StatusCode, body)
	}
	if got := append(dapr.take(), sink.take()...); len(got) != 0 {
		t.Fatalf("an invocation published or delivered %q", got)
	}
	if code, _ := post(t, h.URL+"/sources/cron/tick", "application/json", `{"n":1}`); code != 200 {
		t.Fatalf("the binding's delivery answered %d", code)
	}
	if got := dapr.take(); len(got) != 1 {
		t.Fatalf("the binding's delivery published %q; want one event", got)
	}
}
