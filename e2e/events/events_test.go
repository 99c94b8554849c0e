package events

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	daprcommon "github.com/dapr/dapr/pkg/apis/common"
	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	goredis "github.com/redis/go-redis/v9"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	"kiln.dev/kiln/controller/render"
	rev "kiln.dev/kiln/controller/render/events"
	"kiln.dev/kiln/e2e/brokers"
	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/home"
)

// sink is a real HTTP server recording the CloudEvents it is sent.
type sink struct {
	mu     sync.Mutex
	ids    []string
	data   []string
	types  map[string]int
	server *httptest.Server
}

func newSink(t *testing.T) *sink {
	s := &sink{types: map[string]int{}}
	s.server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var e struct {
			ID, Type string
			Data     json.RawMessage
		}
		b, _ := io.ReadAll(r.Body)
		if json.Unmarshal(b, &e) != nil || e.ID == "" {
			http.Error(w, "not a CloudEvent", http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		s.ids = append(s.ids, e.ID)
		s.data = append(s.data, string(e.Data))
		s.types[e.Type]++
		s.mu.Unlock()
	}))
	t.Cleanup(s.server.Close)
	return s
}

func (s *sink) got() ([]string, map[string]int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	types := map[string]int{}
	for k, v := range s.types {
		types[k] = v
	}
	return append([]string(nil), s.ids...), types
}

// run starts the handler binary for h beside its own daprd, with the
// Components render.Components makes of its Function, their secretKeyRefs
// resolved from the handler's Secret the way Dapr's operator resolves them
// from the namespace's Secrets on a cluster (Kiln's daprd has no secret
// store compiled in; self-hosted daprd would need one).
func run(t *testing.T, bin, daprd string, h *rev.Handler) *daprsidecar.Sidecar {
	t.Helper()
	f := h.Function
	dir := t.TempDir()
	comps, err := render.Components(f)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range comps {
		comp := c.(*daprv1alpha1.Component)
		for i, m := range comp.Spec.Metadata {
			ref := m.SecretKeyRef
			if ref.Name == "" {
				continue
			}
			if h.Secret == nil || ref.Name != h.Secret.Name || h.Secret.Data[ref.Key] == nil {
				t.Fatalf("Component %s: %s references Secret %s key %s, which the handler's Secret does not hold", comp.Name, m.Name, ref.Name, ref.Key)
			}
			raw, _ := json.Marshal(string(h.Secret.Data[ref.Key]))
			comp.Spec.Metadata[i] = daprcommon.NameValuePair{Name: m.Name, Value: daprcommon.DynamicValue{JSON: apiextensionsv1.JSON{Raw: raw}}}
		}
	}
	y, err := render.YAML(comps)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "components.yaml"), y, 0o644); err != nil {
		t.Fatal(err)
	}
	sc, err := daprsidecar.Reserve(0)
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	var mu sync.Mutex
	lw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	proc := exec.Command(bin)
	proc.Env = append(os.Environ(), append(sc.Env("http"), "PORT="+strconv.Itoa(sc.AppPort),
		"EVENTS_CONFIG="+f.Spec.Serving.Params["EVENTS_CONFIG"])...)
	proc.Stdout, proc.Stderr = lw, lw
	if err := proc.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = proc.Process.Kill(); _ = proc.Wait() })
	if err := sc.Start(daprsidecar.Options{Bin: daprd, AppID: render.AppID(f), AppProtocol: "http", Components: dir, Logs: lw, LogLevel: "info"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sc.Stop(5 * time.Second)
		if t.Failed() {
			mu.Lock()
			t.Logf("%s logs:\n%s", f.Name, logs.String())
			mu.Unlock()
		}
	})
	return sc
}

// intruderApp is another Dapr app on the machine (a bare HTTP app beside
// its own daprd): what any Dapr-enabled pod of a cluster is.
func intruderApp(t *testing.T, daprd string) *daprsidecar.Sidecar {
	t.Helper()
	sc, err := daprsidecar.Reserve(0)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", sc.AppPort))
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.NotFoundHandler()}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	var logs bytes.Buffer
	var mu sync.Mutex
	lw := writerFunc(func(p []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(p) })
	if err := sc.Start(daprsidecar.Options{Bin: daprd, AppID: "intruder", AppProtocol: "http", Components: t.TempDir(), Logs: lw, LogLevel: "info"}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sc.Stop(5 * time.Second)
		if t.Failed() {
			mu.Lock()
			t.Logf("intruder's daprd logs:\n%s", logs.String())
			mu.Unlock()
		}
	})
	// daprd answers its outbound health once its API is up.
	health := fmt.Sprintf("http://127.0.0.1:%d/v1.0/healthz/outbound", sc.HTTPPort)
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		if resp, err := http.Get(health); err == nil {
			resp.Body.Close()
			if resp.StatusCode/100 == 2 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the intruder's daprd did not answer %s within 30 s", health)
		}
	}
	return sc
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestCronBusTriggerSink: a cron EventSource publishes to a Redis Streams
// bus; a Trigger delivers the events its condition matches to one sink and
// none to the sink whose condition never holds. Exactly the events on the
// bus reach the matching sink, each once. The Redis server requires a
// password, which no rendered Component carries: daprd reads it through
// the Components' secretKeyRefs from the handler's Secret.
func TestCronBusTriggerSink(t *testing.T) {
	daprd, err := daprsidecar.Find(home.Default().Tools())
	if err != nil {
		t.Skip(err)
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server is not installed (apt-get install redis-server)")
	}
	dir := t.TempDir()
	redis, err := brokers.Redis(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(redis.Stop)
	bin := filepath.Join(dir, "eventhandler")
	build := exec.Command("go", "build", "-o", bin, "kiln.dev/kiln/controller/cmd/eventhandler")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	matching, never, jobsSink := newSink(t), newSink(t), newSink(t)
	// A Redis Streams source: entries added before the handler subscribes
	// are read too (Dapr's consumer group starts at the stream's beginning).
	const jobs = 4
	const password = "e2e-bus-password-91c2"
	admin := goredis.NewClient(&goredis.Options{Addr: redis.Addr})
	if err := admin.ConfigSet(context.Background(), "requirepass", password).Err(); err != nil {
		t.Fatal(err)
	}
	admin.Close()
	rc := goredis.NewClient(&goredis.Options{Addr: redis.Addr, Password: password})
	t.Cleanup(func() { rc.Close() })
	for i := range jobs {
		if err := rc.XAdd(context.Background(), &goredis.XAddArgs{Stream: "jobs", Values: map[string]any{"data": `{"job":` + strconv.Itoa(i) + `}`}}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	bus := &ev.EventBusSpec{Redis: &ev.RedisBusSpec{RedisHost: redis.Addr, RedisPassword: password}}
	meta := func(name string) metav1.ObjectMeta { return metav1.ObjectMeta{Name: name, Namespace: "default"} }
	es := &ev.EventSource{ObjectMeta: meta("clock"), Spec: ev.EventSourceSpec{EventBus: "default",
		Cron:  map[string]*ev.CronSpec{"tick": {Schedule: "@every 1s"}},
		Redis: map[string]*ev.RedisSpec{"jobs": {RedisHost: redis.Addr, RedisPassword: password}}}}
	tr := &ev.Trigger{ObjectMeta: meta("on-tick"), Spec: ev.TriggerSpec{EventBus: "default",
		Inputs: map[string]*ev.Input{"tick": {EventSource: "clock", Event: "tick"}, "jobs": {EventSource: "clock", Event: "jobs"}},
		Subscribers: []*ev.Subscriber{
			{Condition: `tick && type == "dev.kiln.events.cron"`, Sink: &ev.SinkSpec{URI: &matching.server.URL}},
			{Condition: `type == "dev.kiln.events.kafka"`, Sink: &ev.SinkSpec{URI: &never.server.URL}},
			{Condition: `jobs && type == "dev.kiln.events.redis" && subject == "jobs"`, Sink: &ev.SinkSpec{URI: &jobsSink.server.URL}},
		}}}
	if errs := es.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	if errs := tr.Validate(); len(errs) > 0 {
		t.Fatal(errs.ToAggregate())
	}
	th, err := rev.TriggerHandler(tr, bus, "unused")
	if err != nil {
		t.Fatal(err)
	}
	eh, err := rev.EventSourceHandler(es, bus, "unused")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []*rev.Handler{th, eh} {
		comps, err := render.Components(h.Function)
		if err != nil {
			t.Fatal(err)
		}
		y, _ := render.YAML(comps)
		if strings.Contains(string(y), password) {
			t.Fatalf("the password is in %s's Components:\n%s", h.Function.Name, y)
		}
	}
	run(t, bin, daprd, th)
	run(t, bin, daprd, eh)

	const want = 3
	deadline := time.Now().Add(90 * time.Second)
	for {
		ids, _ := matching.got()
		if len(ids) >= want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the matching sink got %d events in 90s, want >= %d", len(ids), want)
		}
		time.Sleep(100 * time.Millisecond) // polling a deadline, not waiting for an event
	}
	// Any Dapr app may invoke any app id: another app's invocation of the
	// cron source's route (its daprd names the caller) is refused.
	cfg, err := handlerconfig.Parse(eh.Function.Spec.Serving.Params["EVENTS_CONFIG"])
	if err != nil {
		t.Fatal(err)
	}
	intruder := intruderApp(t, daprd)
	invoke := fmt.Sprintf("http://127.0.0.1:%d/v1.0/invoke/%s/method%s", intruder.HTTPPort, render.AppID(eh.Function), cfg.Sources[0].Route)
	resp, err := http.Post(invoke, "application/json", strings.NewReader(`{"forged":true}`))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "service invocation") {
		t.Fatalf("a service invocation of %s through daprd answered %d %q; want 403 (refused)", cfg.Sources[0].Route, resp.StatusCode, body)
	}
	// Stop nothing: read the bus, then wait until the sink has every entry
	// the stream held at that moment.
	ctx := context.Background()
	topic := ev.TopicName("default", "clock", "tick")
	if topic != "default.clock.tick" {
		t.Fatalf("topic %q", topic)
	}
	entries, err := rc.XRange(ctx, topic, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	onBus := map[string]bool{}
	for _, e := range entries {
		var ce struct{ ID string }
		if data, ok := e.Values["data"].(string); ok && json.Unmarshal([]byte(data), &ce) == nil {
			onBus[ce.ID] = true
		}
	}
	if len(onBus) < want {
		t.Fatalf("%d CloudEvents on stream %s, want >= %d (entries: %v)", len(onBus), topic, want, entries)
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		ids, _ := matching.got()
		seen := map[string]int{}
		for _, id := range ids {
			seen[id]++
		}
		missing := 0
		for id := range onBus {
			if seen[id] == 0 {
				missing++
			}
		}
		for id, n := range seen {
			if n > 1 {
				t.Fatalf("event %s delivered %d times", id, n)
			}
		}
		if missing == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of the %d events on the bus never reached the sink", missing, len(onBus))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if ids, _ := never.got(); len(ids) != 0 {
		t.Errorf("the sink whose condition never holds got %d events", len(ids))
	}
	deadline = time.Now().Add(30 * time.Second)
	for {
		ids, types := jobsSink.got()
		if len(ids) == jobs && types["dev.kiln.events.redis"] == jobs {
			break
		}
		if len(ids) > jobs || time.Now().After(deadline) {
			t.Fatalf("the Redis Streams sink got %d events (%v), want exactly %d", len(ids), types, jobs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	ids, types := matching.got()
	jobIDs, _ := jobsSink.got()
	jobsSink.mu.Lock()
	data := slices.Sorted(slices.Values(jobsSink.data))
	jobsSink.mu.Unlock()
	if len(jobIDs) != jobs || strings.Join(data, " ") != `{"job":0} {"job":1} {"job":2} {"job":3}` {
		t.Errorf("the Redis Streams sink got %d events with data %q, want the %d entries added, once each", len(jobIDs), data, jobs)
	}
	t.Logf("%d Redis Streams entries delivered once each, data %s", len(jobIDs), data)
	t.Logf("%d CloudEvents on the bus, %d delivered to the matching sink, types %v", len(onBus), len(ids), types)
	if len(types) != 1 || types["dev.kiln.events.cron"] == 0 {
		t.Errorf("event types at the sink: %v", types)
	}
}
