package funcframework

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/registry"
	"kiln.dev/functions-framework-go/internal/server"
	"kiln.dev/functions-framework-go/ofctx"
)

// wait bounds every wait in these tests: a bug fails the test, never hangs it.
const wait = 10 * time.Second

// await returns the next value from c, or fails the test after wait.
func await[T any](t *testing.T, c <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-c:
		return v
	case <-time.After(wait):
		t.Fatalf("no %s within %s", what, wait)
		panic("unreachable")
	}
}

// served is a running server under test.
type served struct {
	url, addr string
	done      chan struct{} // closed when the server has returned err
	err       error
	cancel    context.CancelFunc
}

// stop cancels the server and returns what it returned, within wait.
func (s *served) stop(t *testing.T) error {
	t.Helper()
	s.cancel()
	await(t, s.done, "return from the server after stop")
	return s.err
}

// start serves h with limits l (ServeListener's env-derived ones when nil) on
// a loopback listener handed to the server, and stops it when the test ends.
func start(t *testing.T, h http.Handler, l *server.Limits) *served {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &served{url: "http://" + ln.Addr().String(), addr: ln.Addr().String(), done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		if l == nil {
			s.err = ServeListener(ctx, ln, h)
			return
		}
		s.err = serveListener(ctx, ln, h, *l)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(wait):
			t.Errorf("server still running %s after the test", wait)
		}
	})
	return s
}

// client is an HTTP client whose connections end with the test.
func client(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: wait}
}

type result struct {
	code int
	body string
	err  error
}

func do(c *http.Client, req *http.Request) result {
	resp, err := c.Do(req)
	if err != nil {
		return result{err: err}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return result{resp.StatusCode, string(b), err}
}

func get(t *testing.T, url string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	return do(client(t), req)
}

func TestHTTPContract(t *testing.T) {
	s := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") != "" {
			panic("boom")
		}
		if r.URL.Query().Get("late-panic") != "" {
			w.WriteHeader(http.StatusAccepted)
			io.WriteString(w, "partial")
			panic("after the response started")
		}
		if r.URL.Query().Get("abort") != "" {
			panic(http.ErrAbortHandler)
		}
		io.WriteString(w, "ok "+r.URL.Path)
	}), nil)
	for _, tt := range []struct {
		path string
		code int
		body string
	}{
		{"/", 200, "ok /"},
		{"/favicon.ico", 404, "404 page not found\n"},
		{"/robots.txt", 404, "404 page not found\n"},
		{"/?panic=1", 500, "Internal Server Error: the function panicked\n"},
		{"/?late-panic=1", 202, "partial"},
		{"/after-panic", 200, "ok /after-panic"},
	} {
		if got := get(t, s.url+tt.path); got.code != tt.code || got.body != tt.body || got.err != nil {
			t.Errorf("GET %s = %d %q %v, want %d %q", tt.path, got.code, got.body, got.err, tt.code, tt.body)
		}
	}
	if got := get(t, s.url+"/?abort=1"); got.err == nil {
		t.Errorf("http.ErrAbortHandler should abort the response, got %d %q", got.code, got.body)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}
}

// TestConcurrentCallsRunInParallel: n calls are inside the function at the
// same time. Each handler waits at a barrier that opens when the n-th
// arrives; a server that ran them one by one would never open it.
func TestConcurrentCallsRunInParallel(t *testing.T) {
	const n = 10
	var inside atomic.Int32
	allIn := make(chan struct{})
	abort := make(chan struct{})
	defer close(abort)
	s := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		if inside.Add(1) == n {
			close(allIn)
		}
		select {
		case <-allIn:
			io.WriteString(w, "together")
		case <-abort:
		}
	}), nil)
	c := client(t)
	results := make(chan result, n)
	for i := 0; i < n; i++ {
		go func() {
			req, _ := http.NewRequest(http.MethodGet, s.url, nil)
			results <- do(c, req)
		}()
	}
	await(t, allIn, "moment with all calls inside the function at once")
	for i := 0; i < n; i++ {
		if r := await(t, results, "response"); r.code != 200 || r.body != "together" {
			t.Fatalf("call %d: %+v", i, r)
		}
	}
}

// TestGracefulShutdownFinishesInFlight: stop begins while a request is inside
// the function; new connections are refused from then on, and the request
// still completes. The function is released only once the drain has begun
// (the server's shutdown hook ran and the listener refuses connections), so
// the drain and the request always overlap.
func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	draining := make(chan struct{})
	defer func() {
		select {
		case <-release:
		default:
			close(release)
		}
	}()
	l := server.Defaults()
	l.OnShutdown = func() { close(draining) }
	s := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	}), &l)
	got := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, s.url, nil)
		got <- do(client(t), req)
	}()
	await(t, entered, "request inside the function")
	s.cancel()
	select {
	case <-draining:
	case <-s.done:
		t.Fatalf("the server returned (%v) with a request still inside the function, without draining", s.err)
	case <-time.After(wait):
		t.Fatalf("no drain began within %s of stop", wait)
	}
	refused := make(chan struct{})
	go func() {
		for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				close(refused)
				return
			}
			c.Close()
		}
	}()
	await(t, refused, "refused connection after stop began")
	select {
	case <-s.done:
		t.Fatalf("the server returned (%v) with a request still inside the function", s.err)
	default:
	}
	close(release)
	if r := await(t, got, "response to the in-flight request"); r.err != nil || r.code != 200 || r.body != "finished" {
		t.Fatalf("in-flight request: %+v", r)
	}
	await(t, s.done, "return from the server")
	if s.err != nil {
		t.Fatalf("stop: %v", s.err)
	}
}

func TestCloudEventHandler(t *testing.T) {
	var mu sync.Mutex
	var seen []cloudevents.Event
	s := start(t, CloudEventHandler(func(_ context.Context, e cloudevents.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e)
		if e.Type == "fail" {
			return errors.New("nope")
		}
		return nil
	}), nil)
	c := client(t)
	ev := cloudevents.Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "ok", DataContentType: "application/json", Data: []byte(`{}`)}
	for _, mk := range []func(string, cloudevents.Event) (*http.Request, error){cloudevents.NewBinaryRequest, cloudevents.NewStructuredRequest} {
		req, _ := mk(s.url, ev)
		if r := do(c, req); r.code != 200 || r.body != "" {
			t.Fatalf("event: %+v", r)
		}
	}
	ev.Type = "fail"
	req, _ := cloudevents.NewBinaryRequest(s.url, ev)
	if r := do(c, req); r.code != 500 || r.body != "function error: nope\n" {
		t.Fatalf("failing function: %+v", r)
	}
	req, _ = http.NewRequest(http.MethodPost, s.url, strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	if r := do(c, req); r.code != 400 || !strings.HasPrefix(r.body, "cloudevents: request is neither binary mode") {
		t.Fatalf("non-event POST: %+v", r)
	}
	req, _ = http.NewRequest(http.MethodGet, s.url, nil)
	resp, err := c.Do(req)
	if err != nil || resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
		t.Fatalf("GET: %v %v", resp, err)
	}
	resp.Body.Close()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 3 || seen[0].Data == nil || string(seen[1].Data) != "{}" {
		t.Fatalf("function saw %+v, want 3 events", seen)
	}
}

func TestHandlerForTarget(t *testing.T) {
	reg := registry.New[functions.Registered]("function")
	if _, err := handlerForTarget(reg, "Missing"); err == nil ||
		err.Error() != `FUNCTION_TARGET="Missing": no functions are registered (call functions.HTTP or functions.CloudEvent in an init func)` {
		t.Fatalf("empty registry: %v", err)
	}
	reg.Add("Hello", functions.Registered{Name: "Hello", HTTP: func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "hello") }})
	reg.Add("OnEvent", functions.Registered{Name: "OnEvent", CloudEvent: func(context.Context, cloudevents.Event) error { return nil }})
	reg.Add("Open", functions.Registered{Name: "Open", Open: func(ofctx.Context, []byte) (ofctx.Out, error) { return nil, nil }})
	for _, tt := range []struct{ target, err string }{
		{"", "no function target: set FUNCTION_TARGET to one of: Hello, OnEvent, Open"},
		{"Missing", `FUNCTION_TARGET="Missing" is not registered; registered functions: Hello, OnEvent, Open`},
		{"Open", `FUNCTION_TARGET="Open" has the OpenFunction signature: serve it with MainOpenFunction`},
	} {
		if _, err := handlerForTarget(reg, tt.target); err == nil || err.Error() != tt.err {
			t.Errorf("target %q: %v, want %q", tt.target, err, tt.err)
		}
	}
	h, err := handlerForTarget(reg, "Hello")
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, start(t, h, nil).url); r.body != "hello" {
		t.Fatalf("Hello served %+v", r)
	}
	h, err = handlerForTarget(reg, "OnEvent")
	if err != nil {
		t.Fatal(err)
	}
	if r := get(t, start(t, h, nil).url); r.code != http.StatusMethodNotAllowed {
		t.Fatalf("OnEvent should be the CloudEvent handler (405 for GET), got %+v", r)
	}
	// The process-wide registry is read by HandlerForTarget; these tests
	// register nothing in it.
	if _, err := HandlerForTarget("Hello"); err == nil || !strings.Contains(err.Error(), `FUNCTION_TARGET="Hello"`) {
		t.Fatalf("HandlerForTarget: %v", err)
	}
}

func TestPortAndTarget(t *testing.T) {
	for _, tt := range []struct{ env, want, err string }{
		{"", "8080", ""},
		{"0", "0", ""},
		{"65535", "65535", ""},
		{"eighty", "", `env PORT="eighty" is not a TCP port number (0-65535); unset it to use 8080`},
		{"-1", "", `env PORT="-1" is not a TCP port number (0-65535); unset it to use 8080`},
		{"65536", "", `env PORT="65536" is not a TCP port number (0-65535); unset it to use 8080`},
	} {
		t.Setenv("PORT", tt.env)
		got, err := Port()
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("PORT=%q: %q %v, want %q %q", tt.env, got, err, tt.want, tt.err)
		}
	}
	t.Setenv("FUNCTION_TARGET", "")
	t.Setenv("FUNC_NAME", "Built")
	if Target() != "Built" {
		t.Fatalf("Target() = %q, want FUNC_NAME's Built", Target())
	}
	t.Setenv("FUNCTION_TARGET", "Run")
	if Target() != "Run" {
		t.Fatalf("Target() = %q, want FUNCTION_TARGET's Run", Target())
	}
}
