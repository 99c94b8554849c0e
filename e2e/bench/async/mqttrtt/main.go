// Command mqttrtt drives an MQTT echo function end to end for the async
// side-by-side benchmark (e2e/bench/async/async.sh): it starts mosquitto and
// daprd, starts the function, times process start → daprd healthy (the
// function's readiness as Dapr sees it), then publishes to fn/in and times each
// reply on fn/out, with a window of 1 (latency) and of 64 (throughput). Every
// payload is unique, so lost and duplicated replies are counted.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	mqtt "github.com/eclipse/paho.mqtt.golang"

	"kiln.dev/kiln/e2e/brokers"
	"kiln.dev/kiln/e2e/kiln"
)

func main() {
	fn := flag.String("fn", "", "the echo function binary")
	name := flag.String("name", "fn", "label for the report")
	daprd := flag.String("daprd", "", "the daprd binary")
	n1 := flag.Int("n1", 2000, "messages at window 1")
	n64 := flag.Int("n64", 10000, "messages at window 64")
	flag.StringVar(&logLevel, "dapr-log-level", "error", "daprd --log-level")
	flag.Parse()
	if err := run(*name, *fn, *daprd, *n1, *n64); err != nil {
		fmt.Fprintln(os.Stderr, "mqttrtt:", err)
		os.Exit(1)
	}
}

func freePort() int {
	p, err := kiln.FreePort()
	if err != nil {
		panic(err)
	}
	return p
}

const component = `apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: %s
spec:
  type: bindings.mqtt3
  version: v1
  metadata:
  - name: url
    value: "tcp://%s"
  - name: topic
    value: "%s"
  - name: consumerID
    value: "bench-%s-%d"
  - name: cleanSession
    value: "true"
`

func run(name, fnBin, daprdBin string, n1, n64 int) error {
	dir, err := os.MkdirTemp("", "mqttrtt")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	m, err := brokers.Mosquitto(dir)
	if err != nil {
		return err
	}
	defer m.Stop()
	comps := filepath.Join(dir, "components")
	os.MkdirAll(comps, 0o755)
	os.WriteFile(filepath.Join(comps, "in.yaml"), []byte(fmt.Sprintf(component, "mqtt-in", m.Addr, "fn/in", "in", os.Getpid())), 0o644)
	os.WriteFile(filepath.Join(comps, "out.yaml"), []byte(fmt.Sprintf(component, "mqtt-out", m.Addr, "fn/out", "out", os.Getpid())), 0o644)

	appPort, httpPort, grpcPort := freePort(), freePort(), freePort()
	fc := fmt.Sprintf(`{"name":"echo","version":"v1","runtime":"Async","port":"%d","inputs":{"in":{"uri":"fn/in","componentName":"mqtt-in","componentType":"bindings.mqtt3"}},"outputs":{"out":{"uri":"fn/out","componentName":"mqtt-out","componentType":"bindings.mqtt3","operation":"create"}}}`, appPort)
	startDaprd := func() (*exec.Cmd, error) {
		d := exec.Command(daprdBin, "--app-id", "bench", "--app-port", fmt.Sprint(appPort), "--app-protocol", "grpc",
			"--dapr-http-port", fmt.Sprint(httpPort), "--dapr-grpc-port", fmt.Sprint(grpcPort), "--dapr-internal-grpc-port", fmt.Sprint(freePort()),
			"--metrics-port", fmt.Sprint(freePort()), "--resources-path", comps, "--log-level", logLevel, "--dapr-listen-addresses", "127.0.0.1")
		dLog, _ := os.Create(filepath.Join(dir, "daprd.log"))
		d.Stdout, d.Stderr = dLog, dLog
		d.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		return d, d.Start()
	}
	stopDaprd := func(d *exec.Cmd) { d.Process.Signal(syscall.SIGTERM); d.Wait() }

	// Readiness, as in a pod: daprd is up first (OpenFunction's framework
	// blocks until it can reach it), then the function starts; ready is when
	// the function answers AppCallback/ListInputBindings with its input.
	d, err := startDaprd()
	if err != nil {
		return err
	}
	for {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", grpcPort), 50*time.Millisecond); err == nil {
			c.Close()
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	start := time.Now()
	fn := exec.Command(fnBin)
	fn.Env = append(os.Environ(), "FUNC_CONTEXT="+fc, "CONTEXT_MODE=self-host", "DAPR_HOST=127.0.0.1",
		fmt.Sprintf("DAPR_GRPC_PORT=%d", grpcPort), fmt.Sprintf("DAPR_HTTP_PORT=%d", httpPort), "APP_PROTOCOL=grpc")
	fnLog, _ := os.Create(filepath.Join(dir, "fn.log"))
	fn.Stdout, fn.Stderr = fnLog, fnLog
	fn.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := fn.Start(); err != nil {
		return err
	}
	defer func() { fn.Process.Kill(); fn.Wait() }()
	cpu := func() float64 { // the function's CPU time so far (user+system), from /proc
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", fn.Process.Pid))
		if err != nil {
			return 0
		}
		f := strings.Fields(string(b)[strings.LastIndex(string(b), ")")+2:])
		var u, s float64
		fmt.Sscan(f[11], &u)
		fmt.Sscan(f[12], &s)
		return (u + s) * 10 // clock ticks of 10 ms
	}
	for !listsInput(appPort, "mqtt-in") {
		if time.Since(start) > 60*time.Second {
			b, _ := os.ReadFile(filepath.Join(dir, "fn.log"))
			return fmt.Errorf("%s did not answer ListInputBindings within 60s:\n%s", name, b)
		}
		time.Sleep(time.Millisecond)
	}
	ready := time.Since(start)
	// daprd v1.14 asks a gRPC app for its inputs once, and a connection it
	// tried before the app listened is in backoff then, so it hears none:
	// restart it now the function is up (kiln run starts it in this order).
	stopDaprd(d)
	if d, err = startDaprd(); err != nil {
		return err
	}
	defer stopDaprd(d)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/v1.0/healthz", httpPort))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 204 {
				break
			}
		}
		if time.Since(start) > 90*time.Second {
			b, _ := os.ReadFile(filepath.Join(dir, "daprd.log"))
			return fmt.Errorf("daprd not healthy within 90s:\n%s", b)
		}
		time.Sleep(5 * time.Millisecond)
	}

	var mu sync.Mutex
	arrived := map[string]time.Time{}
	count := map[string]int{}
	notify := make(chan struct{}, 1<<16)
	sub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + m.Addr).SetClientID("rtt-sub").SetCleanSession(true))
	if t := sub.Connect(); t.Wait() && t.Error() != nil {
		return t.Error()
	}
	if t := sub.Subscribe("fn/out", 1, func(_ mqtt.Client, msg mqtt.Message) {
		var v struct{ Echo string }
		json.Unmarshal(msg.Payload(), &v)
		mu.Lock()
		if count[v.Echo] == 0 {
			arrived[v.Echo] = time.Now()
		}
		count[v.Echo]++
		mu.Unlock()
		notify <- struct{}{}
	}); t.Wait() && t.Error() != nil {
		return t.Error()
	}
	pub := mqtt.NewClient(mqtt.NewClientOptions().AddBroker("tcp://" + m.Addr).SetClientID("rtt-pub").SetMaxResumePubInFlight(1000))
	if t := pub.Connect(); t.Wait() && t.Error() != nil {
		return t.Error()
	}
	// Warm up until replies flow.
	for i := 0; ; i++ {
		pub.Publish("fn/in", 1, false, fmt.Sprintf("warm-%d", i)).Wait()
		select {
		case <-notify:
		case <-time.After(500 * time.Millisecond):
			if i > 60 {
				fb, _ := os.ReadFile(filepath.Join(dir, "fn.log"))
				db, _ := os.ReadFile(filepath.Join(dir, "daprd.log"))
				return fmt.Errorf("%s: no reply to warm-up messages\nfunction log:\n%s\ndaprd log:\n%s", name, fb, db)
			}
			continue
		}
		break
	}
	time.Sleep(200 * time.Millisecond)
	for len(notify) > 0 {
		<-notify
	}

	// One reader of notify frees a slot of the current window per reply.
	var semMu sync.Mutex
	var sem chan struct{}
	go func() {
		for range notify {
			semMu.Lock()
			s := sem
			semMu.Unlock()
			select {
			case <-s:
			default:
			}
		}
	}()
	measure := func(prefix string, n, window int) (rate float64, p50, p99 time.Duration, lost, dups int) {
		sent := make([]time.Time, n)
		semMu.Lock()
		sem = make(chan struct{}, window)
		s := sem
		semMu.Unlock()
		t0 := time.Now()
		for i := 0; i < n; i++ {
			select {
			case s <- struct{}{}:
			case <-time.After(5 * time.Second): // a lost reply must not stall the run
			}
			sent[i] = time.Now()
			pub.Publish("fn/in", 1, false, fmt.Sprintf("%s-%06d", prefix, i))
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			mu.Lock()
			got := 0
			for i := 0; i < n; i++ {
				if count[strings.ToUpper(fmt.Sprintf("%s-%06d", prefix, i))] > 0 {
					got++
				}
			}
			mu.Unlock()
			if got == n || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		mu.Lock()
		defer mu.Unlock()
		var rtts []time.Duration
		var last time.Time
		for i := 0; i < n; i++ {
			k := strings.ToUpper(fmt.Sprintf("%s-%06d", prefix, i))
			switch c := count[k]; {
			case c == 0:
				lost++
				continue
			case c > 1:
				dups += c - 1
			}
			rtts = append(rtts, arrived[k].Sub(sent[i]))
			if arrived[k].After(last) {
				last = arrived[k]
			}
		}
		sort.Slice(rtts, func(i, j int) bool { return rtts[i] < rtts[j] })
		if len(rtts) == 0 {
			return 0, 0, 0, lost, dups
		}
		return float64(len(rtts)) / last.Sub(t0).Seconds(), rtts[len(rtts)/2], rtts[len(rtts)*99/100], lost, dups
	}
	c0 := cpu()
	r1, p50a, p99a, l1, d1 := measure("w1", n1, 1)
	r64, p50b, p99b, l64, d64 := measure("w64", n64, 64)
	perMsg := (cpu() - c0) * 1000 / float64(n1+n64) // µs of function CPU per message
	fmt.Printf("RESULT %s ready_ms=%.1f w1_rate=%.0f w1_p50_ms=%.2f w1_p99_ms=%.2f w64_rate=%.0f w64_p50_ms=%.2f w64_p99_ms=%.2f lost=%d dup=%d cpu_us_per_msg=%.0f\n",
		name, float64(ready.Microseconds())/1000, r1, ms(p50a), ms(p99a), r64, ms(p50b), ms(p99b), l1+l64, d1+d64, perMsg)
	return nil
}

var logLevel = "error"

// listsInput calls AppCallback/ListInputBindings over gRPC (HTTP/2 without
// TLS) and reports whether the answer names input.
func listsInput(port int, input string) bool {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	c := &http.Client{Transport: &http.Transport{Protocols: &p}, Timeout: time.Second}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/dapr.proto.runtime.v1.AppCallback/ListInputBindings", port),
		strings.NewReader("\x00\x00\x00\x00\x00"))
	req.Header.Set("Content-Type", "application/grpc")
	req.Header.Set("TE", "trailers")
	resp, err := c.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	status := resp.Trailer.Get("Grpc-Status")
	if status == "" {
		status = resp.Header.Get("Grpc-Status")
	}
	return status == "0" && strings.Contains(string(b), input)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
