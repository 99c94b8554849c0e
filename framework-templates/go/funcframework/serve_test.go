package funcframework

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
)

// start serves h on a free loopback port and returns its URL and a stop func
// that returns ServeListener's result.
func start(t *testing.T, h http.Handler) (string, func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ServeListener(ctx, ln, h) }()
	return "http://" + ln.Addr().String(), func() error { cancel(); return <-done }
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHTTPContract(t *testing.T) {
	url, stop := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("panic") != "" {
			panic("boom")
		}
		io.WriteString(w, "ok "+r.URL.Path)
	}))
	defer stop()
	for _, tt := range []struct {
		path string
		code int
		body string
	}{
		{"/", 200, "ok /"},
		{"/favicon.ico", 404, ""},
		{"/robots.txt", 404, ""},
		{"/?panic=1", 500, "the function panicked"},
		{"/after-panic", 200, "ok /after-panic"},
	} {
		code, body := get(t, url+tt.path)
		if code != tt.code || !strings.Contains(body, tt.body) {
			t.Errorf("GET %s = %d %q, want %d containing %q", tt.path, code, body, tt.code, tt.body)
		}
	}
}

func TestConcurrentCallsRunInParallel(t *testing.T) {
	url, stop := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(time.Second) // the function under test is slow on purpose
	}))
	defer stop()
	begin := time.Now()
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); get(t, url) }()
	}
	wg.Wait()
	if d := time.Since(begin); d >= 2*time.Second {
		t.Fatalf("10 concurrent 1 s calls took %v, want < 2 s", d)
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	url, stop := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		io.WriteString(w, "finished")
	}))
	got := make(chan string, 1)
	go func() { _, b := get(t, url); got <- b }()
	<-entered
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	close(release)
	if b := <-got; b != "finished" {
		t.Fatalf("in-flight request got %q", b)
	}
	if err := <-stopped; err != nil {
		t.Fatal(err)
	}
}

func TestCloudEventHandler(t *testing.T) {
	var mu sync.Mutex
	var seen []cloudevents.Event
	url, stop := start(t, CloudEventHandler(func(_ context.Context, e cloudevents.Event) error {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, e)
		if e.Type == "fail" {
			return errors.New("nope")
		}
		return nil
	}))
	defer stop()
	ev := cloudevents.Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "ok", DataContentType: "application/json", Data: []byte(`{}`)}
	for _, mk := range []func(string, cloudevents.Event) (*http.Request, error){cloudevents.NewBinaryRequest, cloudevents.NewStructuredRequest} {
		req, _ := mk(url, ev)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %v err %v", resp, err)
		}
		resp.Body.Close()
	}
	ev.Type = "fail"
	req, _ := cloudevents.NewBinaryRequest(url, ev)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 500 {
		t.Fatalf("failing function: %v %v", resp, err)
	}
	resp, _ = http.Post(url, "application/json", strings.NewReader(`{}`))
	if resp.StatusCode != 400 {
		t.Fatalf("non-event POST: %d", resp.StatusCode)
	}
	if len(seen) != 3 {
		t.Fatalf("function saw %d events, want 3", len(seen))
	}
}

func TestHandlerForTarget(t *testing.T) {
	functions.HTTP("Registered", func(w http.ResponseWriter, r *http.Request) {})
	if _, err := HandlerForTarget("Registered"); err != nil {
		t.Fatal(err)
	}
	_, err := HandlerForTarget("Missing")
	if err == nil || !strings.Contains(err.Error(), "registered functions: Registered") {
		t.Fatalf("err = %v", err)
	}
	t.Setenv("PORT", "eighty")
	if _, err := Port(); err == nil || !strings.Contains(err.Error(), "env PORT") {
		t.Fatalf("bad PORT err = %v", err)
	}
}
