//go:build go1.24

package funcframework

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/internal/server"
)

// These tests play the hostile clients of issue 11: oversized and malformed
// bodies, clients that stop mid-request, slowloris, idle keep-alive hoards.

// unsized is a body whose length the client cannot know: it goes chunked.
type unsized struct{ io.Reader }

func post(t *testing.T, url, contentType string, body io.Reader, header map[string]string) result {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, body)
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(client(t), req)
}

// echoBody is an HTTP function that answers with the size of what it read.
func echoBody(calls *atomic.Int32) http.Handler {
	return HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		calls.Add(1)
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		io.WriteString(w, "read "+string(b))
	})
}

// TestBodyLimitFromEnv: KILN_MAX_BODY_BYTES bounds the body of HTTP,
// CloudEvent and OpenFunction functions alike, declared or chunked: exactly
// the limit passes, one byte more is 413 with the reason.
func TestBodyLimitFromEnv(t *testing.T) {
	t.Setenv(server.MaxBodyEnv, "16")
	t.Setenv("FUNC_CONTEXT", "")
	tooLarge := "request body is larger than 16 bytes (KILN_MAX_BODY_BYTES)\n"
	var calls, events atomic.Int32
	httpFn := start(t, echoBody(&calls), nil)
	ceFn := start(t, CloudEventHandler(func(context.Context, cloudevents.Event) error { events.Add(1); return nil }), nil)
	rt, err := NewOpenRuntime("status", statusFn)
	if err != nil {
		t.Fatal(err)
	}
	openFn := start(t, rt.HTTPHandler(), nil)
	ceHeaders := map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "1", "Ce-Source": "s", "Ce-Type": "t"}
	sixteen, seventeen := strings.Repeat("a", 16), strings.Repeat("a", 17)
	for _, tt := range []struct {
		name    string
		url     string
		body    io.Reader
		headers map[string]string
		code    int
		resp    string
	}{
		{"http, 16 bytes", httpFn.url, strings.NewReader(sixteen), nil, 200, "read " + sixteen},
		{"http, 17 bytes", httpFn.url, strings.NewReader(seventeen), nil, 413, tooLarge},
		{"http, 16 bytes chunked", httpFn.url, unsized{strings.NewReader(sixteen)}, nil, 200, "read " + sixteen},
		{"http, 17 bytes chunked", httpFn.url, unsized{strings.NewReader(seventeen)}, nil, 413, tooLarge},
		{"cloudevent, 16 bytes", ceFn.url, strings.NewReader(sixteen), ceHeaders, 200, ""},
		{"cloudevent, 17 bytes", ceFn.url, strings.NewReader(seventeen), ceHeaders, 413, tooLarge},
		{"cloudevent, 17 bytes chunked", ceFn.url, unsized{strings.NewReader(seventeen)}, ceHeaders, 413, tooLarge},
		{"openfunction, 16 bytes", openFn.url, strings.NewReader(sixteen), nil, 200, "got " + sixteen},
		{"openfunction, 17 bytes chunked", openFn.url, unsized{strings.NewReader(seventeen)}, nil, 413, tooLarge},
		{"openfunction event, 17 bytes chunked", openFn.url, unsized{strings.NewReader(seventeen)}, ceHeaders, 413, tooLarge},
	} {
		if r := post(t, tt.url, "text/plain", tt.body, tt.headers); r.code != tt.code || r.body != tt.resp {
			t.Errorf("%s: %d %q %v, want %d %q", tt.name, r.code, r.body, r.err, tt.code, tt.resp)
		}
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("the HTTP function ran %d times, want 3 (a declared 17 bytes is refused before it runs)", n)
	}
	if n := events.Load(); n != 1 {
		t.Errorf("the CloudEvent function ran %d times, want 1", n)
	}
}

// TestBadBodyLimitStopsTheServer: a KILN_MAX_BODY_BYTES that is not a
// positive number stops the server before it serves, naming the variable.
func TestBadBodyLimitStopsTheServer(t *testing.T) {
	for _, v := range []string{"0", "-1", "32MiB"} {
		t.Setenv(server.MaxBodyEnv, v)
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		err = ServeListener(context.Background(), ln, http.NotFoundHandler())
		want := `env KILN_MAX_BODY_BYTES="` + v + `": want a positive number of bytes (unset: 33554432, 32 MiB)`
		if err == nil || err.Error() != want {
			t.Fatalf("%s: %v, want %q", v, err, want)
		}
		if c, err := net.Dial("tcp", ln.Addr().String()); err == nil {
			c.Close()
			t.Fatal("the listener was left open")
		}
	}
}

// exchange writes raw bytes to the server and returns everything it answers
// until it closes the connection; a server that keeps the connection open
// longer than wait fails the test.
func exchange(t *testing.T, addr, raw string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(wait))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(c)
	if err != nil {
		t.Fatalf("the server did not close the connection: %v (read %q)", err, b)
	}
	return string(b)
}

func TestMalformedRequests(t *testing.T) {
	var calls atomic.Int32
	s := start(t, echoBody(&calls), nil)
	for _, tt := range []struct{ name, raw, status string }{
		{"Content-Length -1", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\nabc", "HTTP/1.1 400 Bad Request"},
		{"two Content-Lengths", "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 400 Bad Request"},
		{"headers over 64 KiB", "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + strings.Repeat("b", 80<<10) + "\r\n\r\n", "HTTP/1.1 431 Request Header Fields Too Large"},
	} {
		if got := exchange(t, s.addr, tt.raw); !strings.HasPrefix(got, tt.status) {
			t.Errorf("%s: answered %.80q, want %s", tt.name, got, tt.status)
		}
	}
	chunked := "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
	if got := exchange(t, s.addr, chunked); !strings.HasPrefix(got, "HTTP/1.1 200 OK") || !strings.HasSuffix(got, "read abcde") {
		t.Errorf("chunked body: %q", got)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("the function ran %d times, want once (only for the chunked request)", n)
	}
}

// TestClientGoneMidBody: a client that declares 100 bytes, sends 10 and
// disconnects does not reach the CloudEvent function, and the server serves on.
func TestClientGoneMidBody(t *testing.T) {
	var events atomic.Int32
	handled := make(chan string, 4)
	ce := CloudEventHandler(func(context.Context, cloudevents.Event) error { events.Add(1); return nil })
	s := start(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ce.ServeHTTP(w, r)
		handled <- r.Header.Get("Ce-Id")
	}), nil)
	c, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nCe-Specversion: 1.0\r\nCe-Id: gone\r\nCe-Source: s\r\nCe-Type: t\r\nContent-Length: 100\r\n\r\n0123456789")
	c.Close()
	if id := await(t, handled, "end of the cut-off request"); id != "gone" || events.Load() != 0 {
		t.Fatalf("request %q handled, function ran %d times; want the cut-off request handled without the function", id, events.Load())
	}
	if r := post(t, s.url, "text/plain", strings.NewReader("x"), map[string]string{"Ce-Specversion": "1.0", "Ce-Id": "next", "Ce-Source": "s", "Ce-Type": "t"}); r.code != 200 {
		t.Fatalf("next event: %+v", r)
	}
	if id := await(t, handled, "next request"); id != "next" || events.Load() != 1 {
		t.Fatalf("next request %q, function ran %d times", id, events.Load())
	}
}

// TestSlowClientsAreCutOff: a client that never finishes its headers
// (slowloris) and a keep-alive connection left idle are both closed by the
// server, at ReadHeaderTimeout and IdleTimeout.
func TestSlowClientsAreCutOff(t *testing.T) {
	l := server.Defaults()
	l.ReadHeaderTimeout = 100 * time.Millisecond
	l.IdleTimeout = 100 * time.Millisecond
	s := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), &l)
	if got := exchange(t, s.addr, "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "); strings.Contains(got, "200 OK") {
		t.Fatalf("the slow request was served: %q", got)
	}
	got := exchange(t, s.addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n") // keep-alive: the server closes it only when idle
	if !strings.HasPrefix(got, "HTTP/1.1 200 OK") || !strings.HasSuffix(got, "ok") {
		t.Fatalf("keep-alive request: %q", got)
	}
}

// TestIdleConnectionsDoNotHoldUpShutdown: many idle keep-alive connections
// (default limits: they would stay for 120 s) are closed at stop, which
// returns long before the drain's grace runs out.
func TestIdleConnectionsDoNotHoldUpShutdown(t *testing.T) {
	l := server.Defaults()
	l.ShutdownGrace = time.Hour // a stop that waited on idle connections would hit the test's deadline
	s := start(t, HTTPHandler(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }), &l)
	var conns []net.Conn
	for i := 0; i < 50; i++ {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(wait))
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		resp, err := http.ReadResponse(br, nil)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("connection %d: %v %v", i, resp, err)
		}
		io.Copy(io.Discard, resp.Body)
		conns = append(conns, c)
	}
	if err := s.stop(t); err != nil {
		t.Fatalf("stop: %v", err)
	}
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(wait))
		if _, err := c.Read(make([]byte, 1)); err != io.EOF {
			t.Fatalf("idle connection %d after stop: %v, want EOF", i, err)
		}
	}
}

// TestInvalidPortStopsServe: Serve refuses a bad PORT before listening.
func TestInvalidPortStopsServe(t *testing.T) {
	t.Setenv("PORT", "http")
	if err := Serve(http.NotFoundHandler()); err == nil || !strings.Contains(err.Error(), `env PORT="http"`) {
		t.Fatalf("Serve: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	t.Setenv("PORT", strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	err = Serve(http.NotFoundHandler()) // the port is taken by ln
	if err == nil || !strings.HasPrefix(err.Error(), "listening on port ") || !errors.Is(err, syscall.EADDRINUSE) {
		t.Fatalf("Serve on a taken port: %v", err)
	}
}
