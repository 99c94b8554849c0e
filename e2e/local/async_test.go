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
	"slices"
	"sort"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"kiln.dev/kiln/e2e/brokers"
	"kiln.dev/kiln/e2e/kiln"
)

// The async suite runs every async sample beside a real daprd (kiln run
// --dapr) and real brokers. Every subtest starts its own mosquitto,
// redis-server and Kafka and its own copy of the sample's components, and
// stops everything it started in t.Cleanup: subtests share nothing but the
// built image, and each runs alone with -run (e.g.
// -run 'TestAsyncSamples/go/async-mqtt/restart-idle'). The brokers listen on
// loopback; nothing here needs the network.

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

// asyncEnv is one subtest's own brokers.
type asyncEnv struct {
	mqtt, redis *brokers.Process
	kafka       string
}

// startBrokers starts a mosquitto, a redis-server and a Kafka for t alone.
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

// components writes a copy of the sample's Dapr components, pointing at
// this env's brokers, into a directory of t's own.
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

func (s asyncSample) funcContext() string {
	return filepath.Join(repo, "samples", s.lang, s.dir, "func-context.json")
}

func (s asyncSample) build(t *testing.T) {
	t.Helper()
	res := k.Run("build", filepath.Join(repo, "samples", s.lang, s.dir), "--image", s.image(), "--target", s.target, "--signature", "openfunction")
	if res.Err() != nil {
		t.Fatal(res.Err())
	}
	t.Logf("built %s in %s", s.image(), res.Took)
}

var daprHTTPLine = regexp.MustCompile(`HTTP (127\.0\.0\.1:\d+)`)

// run starts the sample beside daprd, stopped in t.Cleanup if the test
// has not stopped it, and returns it with daprd's HTTP address.
func (s asyncSample) run(t *testing.T, components string, extra ...string) (*kiln.Running, string) {
	t.Helper()
	args := append([]string{"--dapr", components, "--app-protocol", s.appProtocol, "--func-context", s.funcContext()}, extra...)
	r, err := k.StartAsync(s.image(), args...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(20 * time.Second) })
	// kiln run starts daprd once the function listens; daprd's /v1.0/healthz
	// answers 204 when its components are up and it has the app's inputs.
	var m []string
	if err := poll(30*time.Second, func() bool {
		m = daprHTTPLine.FindStringSubmatch(r.Output())
		if m == nil {
			return false
		}
		code, _, err := kiln.Get("http://" + m[1] + "/v1.0/healthz")
		return err == nil && code == 204
	}); err != nil {
		t.Fatalf("daprd did not become healthy within 30s:\n%s", r.Output())
	}
	return r, m[1]
}

// stop stops a run with SIGTERM and wants a clean exit.
func stop(t *testing.T, r *kiln.Running) {
	t.Helper()
	if code, err := r.Stop(20 * time.Second); err != nil || code != 0 {
		t.Fatalf("stop: code %d err %v\n%s", code, err, r.Output())
	}
}

// collector is a brokers.Collector closed in t.Cleanup; its payloads are
// JSON in canonical form.
type collector struct{ *brokers.Collector }

func subscribe(t *testing.T, broker, topic string) collector {
	t.Helper()
	c, err := brokers.Subscribe(broker, topic)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return collector{c}
}

func (c collector) all() []string { return canonicalAll(c.All()) }

// waitFor polls until done says so or timeout passes, and returns what
// arrived either way.
func (c collector) waitFor(timeout time.Duration, done func([]string) bool) []string {
	var msgs []string
	poll(timeout, func() bool { msgs = c.all(); return done(msgs) })
	return msgs
}

type publisher struct {
	t *testing.T
	*brokers.Publisher
}

func newPublisher(t *testing.T, broker string) publisher {
	t.Helper()
	p, err := brokers.NewPublisher(broker)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	return publisher{t, p}
}

func (p publisher) publish(topic, payload string) {
	p.t.Helper()
	if err := p.Publish(topic, payload); err != nil {
		p.t.Fatal(err)
	}
}

// flush makes sure every message the broker took for topic before now has
// reached out, and returns what out has then, without the marker it used:
// mosquitto hands a subscriber its messages in the order it took them, so
// once a marker published now arrives, everything before it has.
func flush(t *testing.T, p publisher, out collector, topic string) []string {
	t.Helper()
	marker := fmt.Sprintf("flush-%d", time.Now().UnixNano())
	p.publish(topic, marker)
	got := out.waitFor(20*time.Second, func(m []string) bool { return slices.Contains(m, marker) })
	if !slices.Contains(got, marker) {
		t.Fatalf("the flush marker published on %s did not come back within 20s", topic)
	}
	return slices.DeleteFunc(got, func(m string) bool { return m == marker })
}

// delivery counts what arrived against what was sent: the messages never
// seen, and per message seen more than once how many extra times.
func delivery(want, got []string) (lost []string, dups map[string]int) {
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
	}
	dups = map[string]int{}
	for _, w := range want {
		switch n := seen[w]; {
		case n == 0:
			lost = append(lost, w)
		case n > 1:
			dups[w] = n - 1
		}
	}
	return lost, dups
}

func total(dups map[string]int) int {
	n := 0
	for _, d := range dups {
		n += d
	}
	return n
}

func TestAsyncSamples(t *testing.T) {
	for _, lang := range []string{"go", "nodejs", "python"} {
		for _, s := range asyncSamples[lang] {
			t.Run(s.lang+"/"+s.dir, func(t *testing.T) {
				s.build(t)
				switch s.dir {
				case "async-mqtt":
					t.Run("echo", func(t *testing.T) { testMQTTEcho(t, s) })
					t.Run("restart-idle", func(t *testing.T) { testRestartIdle(t, s) })
					t.Run("restart-in-flight", func(t *testing.T) { testRestartInFlight(t, s, false) })
					t.Run("restart-crash", func(t *testing.T) { testRestartInFlight(t, s, true) })
				case "async-cron-kafka":
					testCronKafka(t, s)
				case "async-subscriber":
					testSubscriber(t, s)
				case "async-bridge":
					testBridge(t, s)
				}
			})
		}
	}
}

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

func first[T any](s []T, n int) []T {
	if len(s) < n {
		return s
	}
	return s[:n]
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// refusedPort is a loopback port nobody can listen on or connect to while t
// runs: a TCP socket bound to it without listening (and without
// SO_REUSEADDR, so no other bind can share it) answers every connect with a
// refusal.
func refusedPort(t *testing.T) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}

// runToExit runs `kiln run image args…` for a case that must fail: kiln run
// has to end by itself within timeout (else the test fails, rather than
// hanging until go test's own timeout). It returns the output and the exit
// code.
func runToExit(t *testing.T, timeout time.Duration, image string, args ...string) (string, int) {
	t.Helper()
	r, err := k.StartAsync(image, args...)
	if r == nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Stop(5 * time.Second) })
	select {
	case <-r.Done():
	case <-time.After(timeout):
		t.Fatalf("kiln run %s is still running %s after it started; this case must end the run:\n%s", image, timeout, r.Output())
	}
	return r.Output(), r.ExitCode()
}

// TestAsyncNegative: a missing component, a bad FUNC_CONTEXT and a daprd that
// never comes each end the run, with a message that says what to fix.
func TestAsyncNegative(t *testing.T) {
	s := asyncSamples["go"][0] // async-mqtt
	s.build(t)

	t.Run("missing component", func(t *testing.T) {
		comps := startBrokers(t).components(t, s)
		if err := os.Remove(filepath.Join(comps, "mqtt-out.yaml")); err != nil {
			t.Fatal(err)
		}
		out, code := runToExit(t, 30*time.Second, s.image(), "--dapr", comps, "--func-context", s.funcContext())
		want := `FUNC_CONTEXT outputs.out.componentName="mqtt-out": no Dapr Component of that name in ` + comps + ` (found: mqtt-in); add a YAML file for it there`
		if code == 0 || !strings.Contains(out, want) {
			t.Fatalf("want an error naming the missing component, got exit %d:\n%s", code, out)
		}
	})

	t.Run("bad FUNC_CONTEXT", func(t *testing.T) {
		comps := startBrokers(t).components(t, s)
		out, code := runToExit(t, 30*time.Second, s.image(), "--dapr", comps, "--func-context", `{"name":"x","runtime":"Async","port":"eighty"}`)
		if code == 0 || !strings.Contains(out, `FUNC_CONTEXT: port: "eighty" is not a port number (1-65535)`) ||
			!strings.Contains(out, "the function exited with code 1") {
			t.Fatalf("want the function to exit 1 naming the field, got exit %d:\n%s", code, out)
		}
	})

	t.Run("daprd never comes", func(t *testing.T) {
		port := refusedPort(t)
		out, code := runToExit(t, 30*time.Second, s.image(), "--env", "DAPR_GRPC_PORT="+fmt.Sprint(port), "--env", "DAPR_WAIT_TIMEOUT=2s",
			"--env", "FUNC_CONTEXT="+mustRead(t, s.funcContext()))
		want := fmt.Sprintf("daprd is not reachable at 127.0.0.1:%d after 2s (DAPR_HOST/DAPR_GRPC_PORT)", port)
		if code == 0 || !strings.Contains(out, want) || !strings.Contains(out, "the function exited with code 1") {
			t.Fatalf("want a bounded wait, then exit 1 with %q, got exit %d:\n%s", want, code, out)
		}
	})
}

// echoRig is what an MQTT echo subtest works with: its own brokers and
// components, a subscriber on the output topic and a publisher.
type echoRig struct {
	s     asyncSample
	comps string
	mqtt  string // mosquitto's host:port
	out   collector
	pub   publisher
	// probes are the echoes start's probes should bring.
	probes []string
}

const (
	echoIn  = "sample/in"
	echoOut = "sample/out"
)

func newEchoRig(t *testing.T, s asyncSample) *echoRig {
	e := startBrokers(t)
	return &echoRig{s: s, comps: e.components(t, s), mqtt: e.mqtt.Addr, out: subscribe(t, e.mqtt.Addr, echoOut), pub: newPublisher(t, e.mqtt.Addr)}
}

// stranded splits lost (echoes never seen, daprd stopped) into the
// messages mosquitto still holds for daprd's input session, which daprd's
// MQTT client left unacknowledged (upstream dapr/components-contrib#4110,
// see brokers.Pending), and the rest, which were really lost: acknowledged
// without an echo, or never kept. Taking the session over empties it.
func (g *echoRig) stranded(t *testing.T, lost []string) (reallyLost, stranded []string) {
	t.Helper()
	if len(lost) == 0 {
		return nil, nil
	}
	m := consumerIDLine.FindStringSubmatch(mustRead(t, filepath.Join(g.comps, "mqtt-in.yaml")))
	if m == nil {
		t.Fatalf("%s/mqtt-in.yaml has no consumerID; the test needs it to find daprd's MQTT session", g.comps)
	}
	// daprd's mqtt3 binding connects its input as "<consumerID>-consumer".
	held, err := brokers.Pending(g.mqtt, m[1]+"-consumer", time.Second, 15*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	pending := map[string]bool{}
	for _, p := range held {
		pending[echoed(p)] = true
	}
	for _, l := range lost {
		if pending[l] {
			stranded = append(stranded, l)
		} else {
			reallyLost = append(reallyLost, l)
		}
	}
	// The race strands the oldest message or two; more is a function that
	// keeps failing them, which this must not excuse.
	if len(stranded) > maxStranded {
		t.Fatalf("%d messages left unacknowledged in daprd's MQTT session after %d restarts (%v…); at most %d are excused as daprd's connect race",
			len(stranded), maxRedials+1, first(stranded, 5), maxStranded)
	}
	return reallyLost, stranded
}

// maxStranded is how many stranded messages stranded excuses.
const maxStranded = 2

// start runs the function and waits until it echoes: daprd subscribes to
// its input a moment after the function is ready, so probes are published
// until one comes back.
func (g *echoRig) start(t *testing.T, extra ...string) *kiln.Running {
	t.Helper()
	r, _ := g.s.run(t, g.comps, extra...)
	if err := poll(45*time.Second, func() bool {
		if len(g.out.all()) > 0 {
			return true
		}
		probe := fmt.Sprintf("probe-%d", len(g.probes))
		g.probes = append(g.probes, echoed(probe))
		g.pub.publish(echoIn, probe)
		g.out.waitFor(500*time.Millisecond, func(m []string) bool { return len(m) > 0 })
		return len(g.out.all()) > 0
	}); err != nil {
		t.Fatalf("no output within 45s of probing %s:\n%s", echoIn, r.Output())
	}
	return r
}

// send publishes n messages prefix-0000… and returns the echoes they should
// bring.
func (g *echoRig) send(prefix string, from, to int) []string {
	var want []string
	for i := from; i < to; i++ {
		msg := fmt.Sprintf("%s-%04d", prefix, i)
		want = append(want, echoed(msg))
		g.pub.publish(echoIn, msg)
	}
	return want
}

// await waits until every message of want has been echoed at least once,
// or nothing new has arrived for stall, or timeout has passed.
func (g *echoRig) await(timeout, stall time.Duration, want []string) []string {
	n, moved := -1, time.Now()
	return g.out.waitFor(timeout, func(m []string) bool {
		if len(m) != n {
			n, moved = len(m), time.Now()
		}
		lost, _ := delivery(want, m)
		return len(lost) == 0 || time.Since(moved) > stall
	})
}

// maxRedials bounds the extra restarts redeliver may do.
const maxRedials = 2

// redeliver waits, after a restart, until every message of want has been
// echoed. daprd v1.14's mqtt3 binding subscribes only once it is connected,
// and the broker hands a persistent session its waiting messages right
// after the connect: a message that arrives before the subscription is in
// place is never acknowledged by daprd's MQTT client (paho), so the broker
// keeps it until the next connect, where the oldest of them is again the
// first to arrive and can miss the subscription again (upstream:
// dapr/components-contrib#4110; a loaded machine loses that race more
// often). Such messages are fetched by restarting again (at most maxRedials
// times); what is still missing then is checked with stranded. It returns the run to settle and the
// messages still missing before the first extra restart (none when there
// was none): those that are not lost in the end were delayed.
func (g *echoRig) redeliver(t *testing.T, r *kiln.Running, want []string) (last *kiln.Running, missing []string) {
	t.Helper()
	for i := 0; ; i++ {
		lost, _ := delivery(want, g.await(45*time.Second, 10*time.Second, want))
		if i == 0 {
			missing = lost
		}
		if len(lost) == 0 || i == maxRedials {
			return r, missing
		}
		t.Logf("%d messages not echoed after the restart (%v…): left unacknowledged by daprd's MQTT client until the next connect; restarting again", len(lost), first(lost, 3))
		stop(t, r)
		r, _ = g.s.run(t, g.comps)
	}
}

// settle stops r and flushes the output topic: every echo r's function sent
// has then arrived, so nothing is still on its way when duplicates are
// counted.
func (g *echoRig) settle(t *testing.T, r *kiln.Running) []string {
	t.Helper()
	stop(t, r)
	return flush(t, g.pub, g.out, echoOut)
}

const echoN = 200

func echoed(msg string) string { return canonical(`{"echo":"` + strings.ToUpper(msg) + `"}`) }

// testMQTTEcho: in normal running every message is echoed exactly once.
func testMQTTEcho(t *testing.T, s asyncSample) {
	g := newEchoRig(t, s)
	r := g.start(t)
	want := g.send("m", 0, echoN)
	g.await(30*time.Second, 10*time.Second, want)
	got := g.settle(t, r)
	lost, dups := delivery(want, got)
	if len(lost) > 0 || len(dups) > 0 {
		t.Fatalf("%d of %d messages lost (%v…), %d duplicated %v\n%s", len(lost), echoN, first(lost, 3), total(dups), dups, r.Output())
	}
	if s.lang == "go" && !strings.Contains(r.Output(), "stamp: in") {
		t.Fatalf("the sample's stamp hook did not run:\n%s", r.Output())
	}
	var mine []string
	for _, m := range got {
		if strings.Contains(m, `"M-`) {
			mine = append(mine, m)
		}
	}
	t.Logf("%d/%d echoed exactly once; in publish order: %v (daprd's mqtt3 binding handles messages concurrently, so order is not promised)",
		len(mine), echoN, sort.StringsAreSorted(mine))
}

// testRestartIdle stops the function when nothing is in flight (every
// message published so far has been echoed), publishes the rest while it is
// down and starts it again. The input binding's session is persistent
// (cleanSession false, QoS 1): mosquitto keeps what arrives meanwhile and
// hands it over on reconnect. Nothing was unacknowledged at the stop, so
// nothing may come twice: exactly once is asserted (a message daprd's MQTT
// client left for the next connect counts as delayed, see redeliver).
func testRestartIdle(t *testing.T, s asyncSample) {
	g := newEchoRig(t, s)
	r := g.start(t)
	before := g.send("a", 0, echoN/4)
	sofar := append(append([]string(nil), g.probes...), before...)
	if lost, _ := delivery(sofar, g.await(30*time.Second, 10*time.Second, sofar)); len(lost) > 0 {
		t.Fatalf("%d of %d messages (probes included) not echoed before the stop: %v…\n%s", len(lost), len(sofar), first(lost, 3), r.Output())
	}
	stop(t, r)
	down := g.send("b", echoN/4, echoN)
	r2, _ := g.s.run(t, g.comps)
	want := append(sofar, down...)
	last, missing := g.redeliver(t, r2, want)
	lost, dups := delivery(want, g.settle(t, last))
	lost, stuck := g.stranded(t, lost)
	t.Logf("restart when idle: %d echoed before the stop, %d published while down: %d lost, %d duplicated, %d delayed to a later connect, %d stranded unacknowledged in daprd's session %v",
		len(before), len(down), len(lost), total(dups), len(missing)-len(lost)-len(stuck), len(stuck), stuck)
	if len(lost) > 0 || len(dups) > 0 {
		t.Fatalf("across an idle restart: %d lost (%v…), %d duplicated %v; want each exactly once\n%s\n%s",
			len(lost), first(lost, 5), total(dups), dups, r.Output(), last.Output())
	}
}

// testRestartInFlight stops the function right after a burst, while
// messages are still being handled, publishes the rest while it is down and
// starts it again. Delivery is at-least-once: none may be lost, and only a
// message handed to daprd and not yet acknowledged at the stop may come
// twice; duplicates are counted and logged.
//
// With SIGTERM kiln run stops the function first, which finishes what it
// has, then daprd, which acknowledges it: a message may come twice only if
// it had not been echoed when SIGTERM was sent. (Deliveries daprd makes
// between the two stops fail and wait for a later connect, see redeliver;
// their number is logged. Stopping daprd first was tried and is worse:
// daprd drops its MQTT connection 200 ms into its stop, so the acks of
// messages already echoed are lost and they come twice, and its output
// binding closes under the function's sends.) With crash, kiln run gets
// SIGKILL and nothing else (the function's sandbox and daprd die with it:
// both are started with Pdeathsig SIGKILL; nothing drains). daprd
// acknowledges a message after the function has sent its echo, so any
// message published before the kill may come twice, but none published
// while the function was down.
func testRestartInFlight(t *testing.T, s asyncSample, crash bool) {
	g := newEchoRig(t, s)
	// A killed kiln run cannot remove its writable layer: the crashed run
	// keeps it in the test's own directory, not in KILN_HOME's runs.
	var stateDir string
	var extra []string
	if crash {
		stateDir = filepath.Join(t.TempDir(), "state")
		extra = []string{"--state-dir", stateDir}
	}
	r := g.start(t, extra...)
	burst := g.send("f", 0, echoN/4)
	echoedAtStop := map[string]bool{}
	for _, m := range g.out.all() {
		echoedAtStop[m] = true
	}
	how := "SIGTERM"
	if crash {
		how = "SIGKILL"
		kill(t, r, stateDir)
	} else {
		stop(t, r)
		out := r.Output()
		t.Logf("deliveries daprd failed during the stop: %d", strings.Count(out[max(0, strings.Index(out, "==> Stopping")):], "Failed processing MQTT message"))
	}
	mayRepeat := map[string]bool{}
	notEchoed := 0
	for _, m := range burst {
		if !echoedAtStop[m] {
			notEchoed++
		}
		mayRepeat[m] = crash || !echoedAtStop[m]
	}
	down := g.send("f", echoN/4, echoN)
	r2, _ := g.s.run(t, g.comps)
	want := append(burst, down...)
	last, missing := g.redeliver(t, r2, want)
	lost, dups := delivery(want, g.settle(t, last))
	lost, stuck := g.stranded(t, lost)
	var unexpected []string
	dupsEchoed := 0
	for m := range dups {
		if !mayRepeat[m] {
			unexpected = append(unexpected, m)
		}
		if echoedAtStop[m] {
			dupsEchoed++
		}
	}
	t.Logf("restart mid-stream (%s): %d of %d not yet echoed at the signal, %d published while down: %d lost, %d duplicated (%d of them echoed before the signal) %v, %d delayed to a later connect, %d stranded unacknowledged in daprd's session %v",
		how, notEchoed, len(burst), len(down), len(lost), total(dups), dupsEchoed, dups, len(missing)-len(lost)-len(stuck), len(stuck), stuck)
	if len(lost) > 0 {
		t.Fatalf("%d messages were lost across a restart (at-least-once was expected): %v…\n%s\n%s", len(lost), first(lost, 5), r.Output(), last.Output())
	}
	if len(unexpected) > 0 {
		sort.Strings(unexpected)
		t.Fatalf("%d messages that could not have been unacknowledged at the %s came twice: %v\n%s\n%s", len(unexpected), how, first(unexpected, 5), r.Output(), last.Output())
	}
}

// kill sends SIGKILL, and no SIGTERM, to the kiln run started with
// --state-dir stateDir, and waits until it has died of it. kiln.Running
// only stops with SIGTERM first, so the process is found by its command
// line, which names the test's own state directory.
func kill(t *testing.T, r *kiln.Running, stateDir string) {
	t.Helper()
	procs, err := os.ReadDir("/proc")
	if err != nil {
		t.Fatal(err)
	}
	pid := 0
	for _, p := range procs {
		b, err := os.ReadFile(filepath.Join("/proc", p.Name(), "cmdline"))
		if err != nil {
			continue // not a process, or gone
		}
		args := strings.Split(strings.TrimSuffix(string(b), "\x00"), "\x00")
		if args[0] == k.Bin && slices.Contains(args, "run") && slices.Contains(args, stateDir) {
			if pid != 0 {
				t.Fatalf("two kiln run processes name --state-dir %s (%d and %s)", stateDir, pid, p.Name())
			}
			fmt.Sscan(p.Name(), &pid)
		}
	}
	if pid == 0 {
		t.Fatalf("no kiln run process with --state-dir %s in /proc:\n%s", stateDir, r.Output())
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL to kiln run (pid %d): %v", pid, err)
	}
	select {
	case <-r.Done():
	case <-time.After(10 * time.Second):
		t.Fatalf("kiln run (pid %d) was still running 10s after SIGKILL", pid)
	}
	if code := r.ExitCode(); code != -1 || strings.Contains(r.Output(), "==> Stopped") {
		t.Fatalf("kiln run (pid %d) exited with code %d after SIGKILL; want it killed (-1) before it could stop anything:\n%s", pid, code, r.Output())
	}
}

// testCronKafka: the cron input ticks every second and each tick is one
// record on the one-partition topic, in order.
func testCronKafka(t *testing.T, s asyncSample) {
	e := startBrokers(t)
	r, _ := s.run(t, e.components(t, s))
	cl, err := kgo.NewClient(kgo.SeedBrokers(e.kafka), kgo.ConsumeTopics("ticks"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
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
	stop(t, r)
	t.Logf("cron → Kafka: ticks %v in order", ticks)
}

const (
	ordersStream  = "orders" // the topic in the samples' FUNC_CONTEXT; Dapr's Redis pub/sub keeps it in a stream of that name
	receiptsTopic = "sample/receipts"
	notAnOrder    = `{"nope":1}`
)

var consumerIDLine = regexp.MustCompile(`(?m)- name: consumerID\s*\n\s*value: "([^"]+)"`)

// consumerGroup is the Redis consumer group daprd reads the topic with: the
// pub/sub component's consumerID (the app id when it has none).
func consumerGroup(t *testing.T, comps string) string {
	t.Helper()
	m := consumerIDLine.FindStringSubmatch(mustRead(t, filepath.Join(comps, "pubsub.yaml")))
	if m == nil {
		t.Fatalf("%s/pubsub.yaml has no consumerID; the test needs it to find the consumer group", comps)
	}
	return m[1]
}

// cloudEventOf is the CloudEvent daprd stored in a stream entry's data.
func cloudEventOf(data any) (id, payload string) {
	s, _ := data.(string)
	var ce struct {
		ID   string          `json:"id"`
		Data json.RawMessage `json:"data"`
	}
	if json.Unmarshal([]byte(s), &ce) != nil {
		return "", ""
	}
	return ce.ID, canonical(string(ce.Data))
}

// delivered reports whether group has been handed every entry of the
// stream and has acknowledged all of them.
func delivered(st *brokers.Stream, group string) bool {
	return len(st.Groups) == 1 && st.Groups[0].Name == group && st.Groups[0].EntriesRead == int64(len(st.Entries)) && len(st.Groups[0].Pending) == 0
}

// testSubscriber publishes one message that is not an order and 50 orders
// through daprd. Every order must bring exactly one receipt. The non-order
// must be dropped: handed to the function exactly once (daprd logs the
// function's DROP for its event id once, and nothing else about it), no
// receipt, and acknowledged in Redis (nothing pending in the consumer
// group, which was handed every entry of the stream).
func testSubscriber(t *testing.T, s asyncSample) {
	e := startBrokers(t)
	comps := e.components(t, s)
	group := consumerGroup(t, comps)
	out := subscribe(t, e.mqtt.Addr, receiptsTopic)
	r, daprHTTP := s.run(t, comps)
	publishOrder := func(body string) {
		t.Helper()
		resp, err := http.Post("http://"+daprHTTP+"/v1.0/publish/orders-pubsub/"+ordersStream, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode/100 != 2 {
			t.Fatalf("publishing through daprd: %d %s", resp.StatusCode, b)
		}
	}
	publishOrder(notAnOrder)
	const n = 50
	var want []string
	for i := 0; i < n; i++ {
		id := fmt.Sprintf("o-%03d", i)
		want = append(want, canonical(fmt.Sprintf(`{"order":%q,"items":%d,"topic":"orders"}`, id, i%5+1)))
		publishOrder(fmt.Sprintf(`{"id":%q,"items":%d}`, id, i%5+1))
	}

	// The non-order's entry in the stream, and the event id daprd gave it.
	ctx := context.Background()
	st, err := brokers.ReadStream(ctx, e.redis.Addr, ordersStream)
	if err != nil {
		t.Fatal(err)
	}
	var dropID, dropEntry string
	for _, en := range st.Entries {
		if id, payload := cloudEventOf(en.Values["data"]); payload == notAnOrder {
			if dropID != "" {
				t.Fatalf("the non-order is in stream %s twice (%s and %s); it was published once", ordersStream, dropEntry, en.ID)
			}
			dropID, dropEntry = id, en.ID
		}
	}
	if dropID == "" || len(st.Entries) != n+1 {
		t.Fatalf("stream %s has %d entries, want %d with the non-order %s among them: %+v", ordersStream, len(st.Entries), n+1, notAnOrder, first(st.Entries, 3))
	}
	dropLine := "DROP status returned from app while processing pub/sub event " + dropID

	// Wait until every order has its receipt, the function has answered DROP
	// and the group has acknowledged everything; then stop and look.
	poll(30*time.Second, func() bool {
		st, err = brokers.ReadStream(ctx, e.redis.Addr, ordersStream)
		return err == nil && delivered(st, group) && strings.Contains(r.Output(), dropLine) && len(out.all()) >= n
	})
	stop(t, r)
	got := flush(t, newPublisher(t, e.mqtt.Addr), out, receiptsTopic)
	if st, err = brokers.ReadStream(ctx, e.redis.Addr, ordersStream); err != nil {
		t.Fatal(err)
	}

	lost, dups := delivery(want, got)
	if len(lost) > 0 || len(dups) > 0 || len(got) != n {
		t.Fatalf("receipts: %d lost (%v), %d duplicated, %d received for %d orders (a receipt for the non-order would make one more)\n%s",
			len(lost), first(lost, 3), total(dups), len(got), n, r.Output())
	}
	if c := strings.Count(r.Output(), dropLine); c != 1 {
		t.Fatalf("daprd logged the function's DROP of event %s (stream entry %s) %d times, want exactly once: the non-order must reach the function once and be dropped\n%s",
			dropID, dropEntry, c, r.Output())
	}
	// A RETRY or a failed call would make daprd name the event again
	// ("Error processing Redis message <entry>: RETRY status returned from
	// app while processing pub/sub event <id>").
	if c := strings.Count(r.Output(), dropID); c != 1 || strings.Contains(r.Output(), dropEntry) {
		t.Fatalf("daprd names the non-order's event %s %d times and its stream entry %s %d times; want the event only in its one DROP line and the entry never\n%s",
			dropID, c, dropEntry, strings.Count(r.Output(), dropEntry), r.Output())
	}
	if len(st.Groups) != 1 || st.Groups[0].Name != group {
		t.Fatalf("stream %s has consumer groups %+v, want exactly daprd's %q (the component's consumerID)", ordersStream, st.Groups, group)
	}
	gr := st.Groups[0]
	if gr.EntriesRead != n+1 || gr.LastDelivered != st.Entries[n].ID {
		t.Fatalf("group %s was handed %d entries up to %s, want all %d up to %s", group, gr.EntriesRead, gr.LastDelivered, n+1, st.Entries[n].ID)
	}
	if len(gr.Pending) != 0 {
		t.Fatalf("XPENDING %s %s: %d entries handed out and not acknowledged (%+v); the non-order is %s", ordersStream, group, len(gr.Pending), gr.Pending, dropEntry)
	}
	t.Logf("pub/sub → function → MQTT: %d/%d receipts, exactly once; the non-order (entry %s, event %s) dropped once, nothing pending in group %s",
		len(got), n, dropEntry, dropID, group)
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

// testBridge: the sync → async bridge answers the caller with the
// function's own status and body, forwards every body exactly once, and (Go)
// continues the caller's trace.
func testBridge(t *testing.T, s asyncSample) {
	e := startBrokers(t)
	comps := e.components(t, s)
	out := subscribe(t, e.mqtt.Addr, "sample/bridge")
	otlp := newOTLPReceiver(t)
	r, _ := s.run(t, comps, "--env", "OTEL_EXPORTER_OTLP_ENDPOINT="+otlp.URL, "--env", "OTEL_BSP_SCHEDULE_DELAY=100")
	// Tracing is the Go framework's; Node.js and Python pass traceparent on.
	tracing := s.lang == "go"
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
	// Each 202 came after the send: the broker has every message by now.
	got := flush(t, newPublisher(t, e.mqtt.Addr), out, "sample/bridge")
	if lost, dups := delivery(want, got); len(lost) > 0 || len(dups) > 0 || len(got) != n {
		t.Fatalf("bridge: %d lost, %d duplicated, %d received for %d requests", len(lost), total(dups), len(got), n)
	}
	if !tracing {
		stop(t, r)
		t.Logf("bridge: %d/%d forwarded, 400 passed through", len(got), n)
		return
	}
	// Tracing: the server span continues the caller's trace and the output
	// call is its child.
	var spans []otlpSpan
	poll(10*time.Second, func() bool { spans = otlp.trace(traceID); return len(spans) >= 2*(n+1)-1 })
	stop(t, r)
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
