package local

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/redis/go-redis/v9"
	"github.com/twmb/franz-go/pkg/kgo"

	"kiln.dev/kiln/e2e/brokers"
	"kiln.dev/kiln/e2e/kiln"
)

// asyncSample is one async sample: samples/<lang>/<dir>, built with target.
type asyncSample struct {
	lang, dir, target string
	// appProtocol is how daprd calls the function (kiln run --app-protocol).
	appProtocol string
}

// asyncSamples are the async samples per language: an MQTT echo, a cron tick
// to Kafka, a pub/sub subscriber and an HTTP→MQTT bridge.
var asyncSamples = map[string][]asyncSample{
	"go": {
		{"go", "async-mqtt", "Echo", "grpc"},
		{"go", "async-cron-kafka", "Tick", "grpc"},
		{"go", "async-subscriber", "Receive", "http"},
		{"go", "async-bridge", "Forward", "http"},
	},
	// The Node.js and Python frameworks speak Dapr's HTTP app protocol.
	"nodejs": {
		{"nodejs", "async-mqtt", "echo", "http"},
		{"nodejs", "async-cron-kafka", "tick", "http"},
		{"nodejs", "async-subscriber", "receive", "http"},
		{"nodejs", "async-bridge", "forward", "http"},
	},
	"python": {
		{"python", "async-mqtt", "echo", "http"},
		{"python", "async-cron-kafka", "tick", "http"},
		{"python", "async-subscriber", "receive", "http"},
		{"python", "async-bridge", "forward", "http"},
	},
}

// env is what the async suite shares: running brokers.
type asyncEnv struct {
	mqtt, redis *brokers.Process
	kafka       string
}

func startBrokers(t *testing.T) *asyncEnv {
	t.Helper()
	dir := t.TempDir()
	m, err := brokers.Mosquitto(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	r, err := brokers.Redis(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	kc, addr, err := brokers.Kafka("ticks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(kc.Close)
	return &asyncEnv{mqtt: m, redis: r, kafka: addr}
}

// components writes the sample's Dapr components pointing at the brokers.
func (e *asyncEnv) components(t *testing.T, s asyncSample) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "components")
	if err := brokers.Components(filepath.Join(repo, "samples", s.lang, s.dir, "dapr"), dst, map[string]string{
		brokers.DefaultMQTT: e.mqtt.Addr, brokers.DefaultRedis: e.redis.Addr, brokers.DefaultKafka: e.kafka}); err != nil {
		t.Fatal(err)
	}
	return dst
}

func (s asyncSample) image() string { return "e2e-" + s.lang + "-" + s.dir }

func (s asyncSample) build(t *testing.T) {
	t.Helper()
	res := k.Run("build", filepath.Join(repo, "samples", s.lang, s.dir), "--image", s.image(), "--target", s.target, "--signature", "openfunction")
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	t.Logf("built %s in %s", s.image(), res.Took)
}

// run starts the sample beside daprd and returns it with daprd's HTTP port.
func (s asyncSample) run(t *testing.T, components string, extra ...string) (*kiln.Running, string) {
	t.Helper()
	args := append([]string{"--dapr", components, "--app-protocol", s.appProtocol,
		"--func-context", filepath.Join(repo, "samples", s.lang, s.dir, "func-context.json")}, extra...)
	r, err := k.StartAsync(s.image(), args...)
	if err != nil {
		t.Fatal(err)
	}
	// kiln run starts daprd once the function listens; daprd's /v1.0/healthz
	// answers 204 when its components are up and it has the app's inputs.
	var m []string
	if err := poll(30*time.Second, func() bool {
		m = regexp.MustCompile(`HTTP (127\.0\.0\.1:\d+)`).FindStringSubmatch(r.Output())
		if m == nil {
			return false
		}
		code, _, err := kiln.Get("http://" + m[1] + "/v1.0/healthz")
		return err == nil && code == 204
	}); err != nil {
		r.Stop(5 * time.Second)
		t.Fatalf("daprd did not become healthy within 30s:\n%s", r.Output())
	}
	return r, m[1]
}

func stop(t *testing.T, r *kiln.Running) {
	t.Helper()
	if code, err := r.Stop(20 * time.Second); err != nil || code != 0 {
		t.Fatalf("stop: code %d err %v\n%s", code, err, r.Output())
	}
}

// collector subscribes to an MQTT topic and keeps every payload.
type collector struct {
	mu   sync.Mutex
	msgs []string
	c    mqtt.Client
}

func subscribe(t *testing.T, broker, topic string) *collector {
	t.Helper()
	col := &collector{}
	opts := mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(fmt.Sprintf("e2e-sub-%d", time.Now().UnixNano())).SetCleanSession(true)
	col.c = mqtt.NewClient(opts)
	if tok := col.c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connecting to mosquitto: %v", tok.Error())
	}
	tok := col.c.Subscribe(topic, 1, func(_ mqtt.Client, m mqtt.Message) {
		col.mu.Lock()
		col.msgs = append(col.msgs, string(m.Payload()))
		col.mu.Unlock()
	})
	if !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("subscribing to %s: %v", topic, tok.Error())
	}
	t.Cleanup(func() { col.c.Disconnect(100) })
	return col
}

// all is every payload so far, JSON in canonical form.
func (c *collector) all() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return canonicalAll(c.msgs)
}

func (c *collector) waitFor(t *testing.T, timeout time.Duration, done func([]string) bool) []string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		msgs := c.all()
		if done(msgs) {
			return msgs
		}
		if time.Now().After(deadline) {
			return msgs
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func publisher(t *testing.T, broker string) mqtt.Client {
	t.Helper()
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + broker).SetClientID(fmt.Sprintf("e2e-pub-%d", time.Now().UnixNano())))
	if tok := c.Connect(); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("connecting to mosquitto: %v", tok.Error())
	}
	t.Cleanup(func() { c.Disconnect(100) })
	return c
}

func publish(t *testing.T, c mqtt.Client, topic, payload string) {
	t.Helper()
	if tok := c.Publish(topic, 1, false, payload); !tok.WaitTimeout(10*time.Second) || tok.Error() != nil {
		t.Fatalf("publishing to %s: %v", topic, tok.Error())
	}
}

// warmUp publishes probes until the function echoes one: daprd subscribes to
// its input a moment after the function is ready.
func warmUp(t *testing.T, pub mqtt.Client, in string, out *collector, r *kiln.Running) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for i := 0; len(out.all()) == 0; i++ {
		if time.Now().After(deadline) {
			t.Fatalf("no output within 45s of probing %s:\n%s", in, r.Output())
		}
		publish(t, pub, in, fmt.Sprintf("probe-%d", i))
		out.waitFor(t, 500*time.Millisecond, func(m []string) bool { return len(m) > 0 })
	}
}

// delivery counts what arrived against what was sent.
func delivery(want, got []string) (lost []string, dups int) {
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	for _, w := range want {
		switch n := seen[w]; {
		case n == 0:
			lost = append(lost, w)
		case n > 1:
			dups += n - 1
		}
	}
	return lost, dups
}

func TestAsyncSamples(t *testing.T) {
	e := startBrokers(t)
	for _, lang := range []string{"go", "nodejs", "python"} {
		for _, s := range asyncSamples[lang] {
			t.Run(s.lang+"/"+s.dir, func(t *testing.T) {
				s.build(t)
				switch s.dir {
				case "async-mqtt":
					testMQTTEcho(t, e, s)
				case "async-cron-kafka":
					testCronKafka(t, e, s)
				case "async-subscriber":
					testSubscriber(t, e, s)
				case "async-bridge":
					testBridge(t, e, s)
				}
			})
		}
	}
}

const echoN = 200

func echoed(msg string) string { return canonical(`{"echo":"` + strings.ToUpper(msg) + `"}`) }

// canonical re-encodes JSON with sorted keys: daprd's HTTP binding API
// re-encodes JSON payloads (Node.js and Python send through it), so key order
// and spacing are not the function's.
func canonical(s string) string {
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		return s
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func canonicalAll(msgs []string) []string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		out[i] = canonical(m)
	}
	return out
}

func testMQTTEcho(t *testing.T, e *asyncEnv, s asyncSample) {
	comps := e.components(t, s)
	out := subscribe(t, e.mqtt.Addr, "sample/out")
	pub := publisher(t, e.mqtt.Addr)
	r, _ := s.run(t, comps)
	warmUp(t, pub, "sample/in", out, r)
	base := len(out.all())

	var want []string
	for i := 0; i < echoN; i++ {
		msg := fmt.Sprintf("m-%04d", i)
		want = append(want, echoed(msg))
		publish(t, pub, "sample/in", msg)
	}
	got := out.waitFor(t, 30*time.Second, func(m []string) bool { return len(m)-base >= echoN })[base:]
	lost, dups := delivery(want, got)
	if len(lost) > 0 || dups > 0 {
		t.Fatalf("%d of %d messages lost (%v…), %d duplicated\n%s", len(lost), echoN, first(lost, 3), dups, r.Output())
	}
	if s.lang == "go" && !strings.Contains(r.Output(), "stamp: in") {
		t.Fatalf("the sample's stamp hook did not run:\n%s", r.Output())
	}
	inOrder := sort.SliceIsSorted(got, func(i, j int) bool { return got[i] < got[j] })
	t.Logf("%d/%d echoed exactly once; in publish order: %v (daprd's mqtt3 binding handles messages concurrently, so order is not promised)", len(got), echoN, inOrder)

	// Stop the function mid-stream and start it again: the input binding's
	// MQTT session is persistent (cleanSession false, QoS 1), so mosquitto
	// keeps what arrives meanwhile.
	before := len(out.all())
	var want2 []string
	for i := 0; i < echoN; i++ {
		msg := fmt.Sprintf("r-%04d", i)
		want2 = append(want2, echoed(msg))
		publish(t, pub, "sample/in", msg)
		if i == echoN/4 {
			stop(t, r)
		}
	}
	r2, _ := s.run(t, comps)
	defer stop(t, r2)
	got2 := out.waitFor(t, 45*time.Second, func(m []string) bool {
		l, _ := delivery(want2, m[before:])
		return len(l) == 0
	})[before:]
	lost, dups = delivery(want2, got2)
	t.Logf("stop at message %d and restart: %d of %d lost, %d redelivered", echoN/4, len(lost), echoN, dups)
	if len(lost) > 0 {
		t.Fatalf("%d messages were lost across a restart (at-least-once was expected): %v…", len(lost), first(lost, 5))
	}
}

func first(s []string, n int) []string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

func testCronKafka(t *testing.T, e *asyncEnv, s asyncSample) {
	comps := e.components(t, s)
	r, _ := s.run(t, comps)
	defer stop(t, r)
	// Every language writes to the one topic: read from its end, so only
	// this function's ticks count.
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.kafka), kgo.ConsumeTopics("ticks"), kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	var ticks []int
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for len(ticks) < 3 && ctx.Err() == nil {
		fs := cl.PollFetches(ctx)
		fs.EachRecord(func(rec *kgo.Record) {
			var v struct {
				Tick int    `json:"tick"`
				At   string `json:"at"`
			}
			if err := json.Unmarshal(rec.Value, &v); err != nil || v.At == "" {
				t.Fatalf("record %q is not {tick, at}: %v", rec.Value, err)
			}
			ticks = append(ticks, v.Tick)
		})
	}
	if len(ticks) < 3 {
		t.Fatalf("want 3 records on topic ticks within 30s, got %v\n%s", ticks, r.Output())
	}
	for i := 1; i < len(ticks); i++ {
		if ticks[i] != ticks[i-1]+1 {
			t.Fatalf("ticks out of order or missing on a one-partition topic: %v", ticks)
		}
	}
	t.Logf("cron → Kafka: ticks %v in order", ticks)
}

func testSubscriber(t *testing.T, e *asyncEnv, s asyncSample) {
	// Each language's subscriber is a new consumer group, which Dapr starts at
	// the beginning of the stream: start every language from an empty one.
	rc := redis.NewClient(&redis.Options{Addr: e.redis.Addr})
	if err := rc.Del(context.Background(), "orders").Err(); err != nil {
		t.Fatal(err)
	}
	rc.Close()
	comps := e.components(t, s)
	out := subscribe(t, e.mqtt.Addr, "sample/receipts")
	r, daprHTTP := s.run(t, comps)
	defer stop(t, r)
	publishOrder := func(body string) {
		t.Helper()
		resp, err := http.Post("http://"+daprHTTP+"/v1.0/publish/orders-pubsub/orders", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("publishing through daprd: %d %s", resp.StatusCode, b)
		}
	}
	// A malformed order is dropped (no receipt, not redelivered).
	publishOrder(`{"nope":1}`)
	const n = 50
	var want []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("o-%03d", i)
		want = append(want, canonical(fmt.Sprintf(`{"order":%q,"items":%d,"topic":"orders"}`, id, i%5+1)))
		publishOrder(fmt.Sprintf(`{"id":%q,"items":%d}`, id, i%5+1))
	}
	got := out.waitFor(t, 30*time.Second, func(m []string) bool { return len(m) >= n })
	lost, dups := delivery(want, got)
	if len(lost) > 0 || dups > 0 || len(got) != n {
		t.Fatalf("receipts: %d lost (%v), %d duplicated, %d received for %d orders\n%s", len(lost), first(lost, 3), dups, len(got), n, r.Output())
	}
	if c := strings.Count(r.Output(), "not an order"); c > 1 {
		t.Fatalf("the malformed order was redelivered %d times; a 400 should drop it", c)
	}
	t.Logf("pub/sub → function → MQTT: %d/%d receipts, exactly once", len(got), n)
}

// otlpReceiver is an in-process OTLP/HTTP (JSON) trace receiver.
type otlpReceiver struct {
	*httptest.Server
	mu    sync.Mutex
	spans []otlpSpan
}

type otlpSpan struct {
	TraceID      string `json:"traceId"`
	SpanID       string `json:"spanId"`
	ParentSpanID string `json:"parentSpanId"`
	Name         string `json:"name"`
	Kind         int    `json:"kind"`
}

func newOTLPReceiver(t *testing.T) *otlpReceiver {
	o := &otlpReceiver{}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/traces" || r.Header.Get("Content-Type") != "application/json" {
			http.Error(w, "want POST /v1/traces application/json", http.StatusBadRequest)
			return
		}
		var req struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []otlpSpan `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		o.mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				o.spans = append(o.spans, ss.Spans...)
			}
		}
		o.mu.Unlock()
		w.Write([]byte("{}"))
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *otlpReceiver) trace(id string) []otlpSpan {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []otlpSpan
	for _, s := range o.spans {
		if s.TraceID == id {
			out = append(out, s)
		}
	}
	return out
}

func testBridge(t *testing.T, e *asyncEnv, s asyncSample) {
	comps := e.components(t, s)
	out := subscribe(t, e.mqtt.Addr, "sample/bridge")
	otlp := newOTLPReceiver(t)
	r, _ := s.run(t, comps, "--env", "OTEL_EXPORTER_OTLP_ENDPOINT="+otlp.URL, "--env", "OTEL_BSP_SCHEDULE_DELAY=100")
	// Tracing is the Go framework's; Node.js and Python pass traceparent on.
	tracing := s.lang == "go"
	defer stop(t, r)
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	call := func(body string) (int, string) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, r.URL+"/", strings.NewReader(body))
		req.Header.Set("traceparent", "00-"+traceID+"-00f067aa0ba902b7-01")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	// The caller gets the function's own status and body, whatever the code.
	if code, body := call(""); code != 400 || body != "send a body to forward\n" {
		t.Fatalf("empty body: %d %q, want 400 and the function's message", code, body)
	}
	const n = 20
	var want []string
	for i := 0; i < n; i++ {
		msg := fmt.Sprintf(`{"reading":%d}`, i)
		want = append(want, canonical(msg))
		if code, body := call(msg); code != 202 || body != fmt.Sprintf("forwarded %d bytes to mqtt\n", len(msg)) {
			t.Fatalf("POST %s: %d %q, want 202", msg, code, body)
		}
	}
	got := out.waitFor(t, 20*time.Second, func(m []string) bool { return len(m) >= n })
	if lost, dups := delivery(want, got); len(lost) > 0 || dups > 0 {
		t.Fatalf("bridge: %d lost, %d duplicated of %d", len(lost), dups, n)
	}
	if !tracing {
		t.Logf("bridge: %d/%d forwarded, 400 passed through", len(got), n)
		return
	}
	// Tracing: the server span continues the caller's trace and the output
	// call is its child.
	var spans []otlpSpan
	deadline := time.Now().Add(10 * time.Second)
	for {
		spans = otlp.trace(traceID)
		if len(spans) >= 2*(n+1)-1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	servers := map[string]bool{}
	producers := 0
	for _, sp := range spans {
		switch sp.Kind {
		case 2:
			if sp.ParentSpanID != "00f067aa0ba902b7" {
				t.Fatalf("server span %s has parent %q, want the caller's span", sp.SpanID, sp.ParentSpanID)
			}
			servers[sp.SpanID] = true
		}
	}
	for _, sp := range spans {
		if sp.Kind == 4 && sp.Name == "send mqtt" && servers[sp.ParentSpanID] {
			producers++
		}
	}
	if len(servers) != n+1 || producers != n {
		t.Fatalf("trace %s: %d server spans (want %d), %d send spans under them (want %d); spans: %+v", traceID, len(servers), n+1, producers, n, spans)
	}
	t.Logf("bridge: %d/%d forwarded, 400 passed through, %d spans in the caller's trace", len(got), n, len(spans))
}

// TestAsyncNegative: a missing component, a bad FUNC_CONTEXT and a daprd that
// never comes each end with a message that says what to fix.
func TestAsyncNegative(t *testing.T) {
	e := startBrokers(t)
	s := asyncSamples["go"][0] // async-mqtt
	s.build(t)
	comps := e.components(t, s)

	t.Run("missing component", func(t *testing.T) {
		if err := os.Remove(filepath.Join(comps, "mqtt-out.yaml")); err != nil {
			t.Fatal(err)
		}
		defer brokers.Components(filepath.Join(repo, "samples", "go", s.dir, "dapr"), comps, map[string]string{brokers.DefaultMQTT: e.mqtt.Addr})
		res := k.Run("run", s.image(), "--dapr", comps, "--func-context", filepath.Join(repo, "samples", "go", s.dir, "func-context.json"))
		want := `FUNC_CONTEXT outputs.out.componentName="mqtt-out": no Dapr Component of that name in ` + comps + ` (found: mqtt-in); add a YAML file for it there`
		if res.Err() == nil || !strings.Contains(res.Output, want) {
			t.Fatalf("want an error naming the missing component:\n%s", res.Output)
		}
	})

	t.Run("bad FUNC_CONTEXT", func(t *testing.T) {
		res := k.Run("run", s.image(), "--dapr", comps, "--func-context", `{"name":"x","runtime":"Async","port":"eighty"}`)
		if res.Err() == nil || !strings.Contains(res.Output, `FUNC_CONTEXT: port: "eighty" is not a port number (1-65535)`) ||
			!strings.Contains(res.Output, "the function exited with code 1") {
			t.Fatalf("want the function to exit 1 naming the field:\n%s", res.Output)
		}
	})

	t.Run("daprd never comes", func(t *testing.T) {
		port, _ := kiln.FreePort()
		res := k.Run("run", s.image(), "--env", "DAPR_GRPC_PORT="+fmt.Sprint(port), "--env", "DAPR_WAIT_TIMEOUT=2s",
			"--env", "FUNC_CONTEXT="+mustRead(t, filepath.Join(repo, "samples", "go", s.dir, "func-context.json")))
		want := fmt.Sprintf("daprd is not reachable at 127.0.0.1:%d after 2s (DAPR_HOST/DAPR_GRPC_PORT)", port)
		if res.Err() == nil || !strings.Contains(res.Output, want) || !strings.Contains(res.Output, "the function exited with code 1") {
			t.Fatalf("want a bounded wait, then exit 1 with %q:\n%s", want, res.Output)
		}
	})
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
