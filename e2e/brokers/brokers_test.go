package brokers

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"
	"github.com/redis/go-redis/v9"

	"kiln.dev/kiln/e2e/kiln"
)

// needs skips t, saying why, when bin is not installed: these tests start
// the real brokers (loopback only, no network).
func needs(t *testing.T, bin, pkg string) {
	t.Helper()
	if _, err := exec.LookPath(bin); err != nil {
		t.Skipf("skipped: %s is not installed (apt-get install -y %s; .ci/run installs it)", bin, pkg)
	}
}

// taken is a loopback port some other process listens on for the test.
func taken(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}

// picks hands out ports in order, then free ones as Mosquitto and Redis do.
func picks(ports ...int) func() (int, error) {
	return func() (int, error) {
		if len(ports) == 0 {
			return kiln.FreePort()
		}
		p := ports[0]
		ports = ports[1:]
		return p, nil
	}
}

// TestStartRetriesATakenPort: a broker whose picked port another process
// took in the meantime is started again on the next pick, not reported
// ready on the other process's port.
func TestStartRetriesATakenPort(t *testing.T) {
	for _, tc := range []struct {
		b   broker
		pkg string
	}{{mosquitto, "mosquitto"}, {redisServer, "redis-server"}} {
		t.Run(tc.b.bin, func(t *testing.T) {
			needs(t, tc.b.bin, tc.pkg)
			busy := taken(t)
			p, err := startOnFreePort(t.TempDir(), tc.b, picks(busy))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(p.Stop)
			if p.Addr == "127.0.0.1:"+strconv.Itoa(busy) {
				t.Fatalf("broker reported ready on %s, the port another process holds", p.Addr)
			}
			if !strings.Contains(p.Log(), tc.b.ready) {
				t.Fatalf("broker on %s has not logged %q:\n%s", p.Addr, tc.b.ready, p.Log())
			}
		})
	}
}

// TestStartGivesUpOnTakenPorts: the retry is bounded and says why it stopped.
func TestStartGivesUpOnTakenPorts(t *testing.T) {
	needs(t, "mosquitto", "mosquitto")
	busy := taken(t)
	ports := make([]int, attempts)
	for i := range ports {
		ports[i] = busy
	}
	_, err := startOnFreePort(t.TempDir(), mosquitto, picks(ports...))
	if err == nil || !strings.Contains(err.Error(), "5 ports in a row were taken") {
		t.Fatalf("want a bounded retry that says the ports were taken, got %v", err)
	}
}

// TestStartReportsOtherFailures: a broker that exits for another reason is
// not retried, and its log is in the error.
func TestStartReportsOtherFailures(t *testing.T) {
	needs(t, "redis-server", "redis-server")
	bad := redisServer
	bad.args = func(dir string, port int) ([]string, error) {
		return []string{"--port", strconv.Itoa(port), "--no-such-option", "x"}, nil
	}
	_, err := startOnFreePort(t.TempDir(), bad, picks())
	if err == nil || !strings.Contains(err.Error(), "exited") || !strings.Contains(err.Error(), "no-such-option") {
		t.Fatalf("want the exit and the broker's log, got %v", err)
	}
}

func TestMosquittoRedisKafka(t *testing.T) {
	needs(t, "mosquitto", "mosquitto")
	needs(t, "redis-server", "redis-server")
	dir := t.TempDir()
	m, err := Mosquitto(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	r, err := Redis(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	k, addr, err := Kafka("ticks")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(k.Close)
	for _, a := range []string{m.Addr, r.Addr, addr} {
		c, err := net.Dial("tcp", a)
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		c.Close()
	}
	m.Stop()
	m.Stop() // twice is harmless
}

// TestReadStream: entries, what a group was handed, and what it has not
// acknowledged, against a real redis-server.
func TestReadStream(t *testing.T) {
	needs(t, "redis-server", "redis-server")
	r, err := Redis(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Stop)
	ctx := context.Background()
	c := redis.NewClient(&redis.Options{Addr: r.Addr})
	defer c.Close()
	var ids []string
	for i := 0; i < 3; i++ {
		id, err := c.XAdd(ctx, &redis.XAddArgs{Stream: "orders", Values: map[string]any{"data": strconv.Itoa(i)}}).Result()
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := c.XGroupCreate(ctx, "orders", "app", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// Hand two entries to the group and acknowledge the first.
	if err := c.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "app", Consumer: "app", Streams: []string{"orders", ">"}, Count: 2}).Err(); err != nil {
		t.Fatal(err)
	}
	if err := c.XAck(ctx, "orders", "app", ids[0]).Err(); err != nil {
		t.Fatal(err)
	}
	s, err := ReadStream(ctx, r.Addr, "orders")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entries) != 3 || s.Entries[2].ID != ids[2] || s.Entries[2].Values["data"] != "2" {
		t.Fatalf("entries %+v, want the three added", s.Entries)
	}
	if len(s.Groups) != 1 {
		t.Fatalf("groups %+v, want one", s.Groups)
	}
	g := s.Groups[0]
	if g.Name != "app" || g.EntriesRead != 2 || g.LastDelivered != ids[1] || len(g.Pending) != 1 || g.Pending[0].ID != ids[1] || g.Pending[0].RetryCount != 1 {
		t.Fatalf("group %+v, want app with 2 read, last %s, %s pending once", g, ids[1], ids[1])
	}
	if _, err := ReadStream(ctx, r.Addr, "missing"); err == nil {
		t.Fatal("a missing stream should be an error")
	}
}

// TestPublishSubscribe: what a Publisher sends, a Collector keeps, in order.
func TestPublishSubscribe(t *testing.T) {
	needs(t, "mosquitto", "mosquitto")
	m, err := Mosquitto(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Stop)
	col, err := Subscribe(m.Addr, "t/out")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(col.Close)
	p, err := NewPublisher(m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	want := []string{"a", "b", "c"}
	for _, w := range want {
		if err := p.Publish("t/out", w); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(col.All()) < len(want) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // poll until the deadline
	}
	if got := col.All(); strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("collected %q, want %q", got, want)
	}
	if _, err := Subscribe("127.0.0.1:1", "t/out"); err == nil {
		t.Fatal("subscribing at a closed port should fail")
	}
}

// TestPendingTakesOverAPersistentSession: what mosquitto keeps for a
// persistent session while it is away (sent unacknowledged, or queued) is
// what Pending gets, and taking it empties the session.
func TestPendingTakesOverAPersistentSession(t *testing.T) {
	needs(t, "mosquitto", "mosquitto")
	m, err := Mosquitto(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Stop() })
	const session = "e2e-pending-session"
	// The session subscribes, then leaves without acknowledging anything.
	c := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + m.Addr).SetClientID(session).SetCleanSession(false).SetAutoAckDisabled(true))
	if err := wait(c.Connect()); err != nil {
		t.Fatal(err)
	}
	got := make(chan string, 8)
	if err := wait(c.Subscribe("t/in", 1, func(_ mqtt.Client, msg mqtt.Message) { got <- string(msg.Payload()) })); err != nil {
		t.Fatal(err)
	}
	p, err := NewPublisher(m.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if err := p.Publish("t/in", "held"); err != nil { // delivered, never acknowledged
		t.Fatal(err)
	}
	select {
	case <-got:
	case <-time.After(10 * time.Second):
		t.Fatal("the session never got its first message")
	}
	c.Disconnect(100)
	if err := p.Publish("t/in", "queued"); err != nil { // kept while the session is away
		t.Fatal(err)
	}
	held, err := Pending(m.Addr, session, 500*time.Millisecond, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(held, ",") != "held,queued" {
		t.Fatalf("Pending = %q, want the unacknowledged and the queued message [held queued]", held)
	}
	again, err := Pending(m.Addr, session, 500*time.Millisecond, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(again) != 0 {
		t.Fatalf("a second Pending = %q, want nothing: taking the messages acknowledges them", again)
	}
}
