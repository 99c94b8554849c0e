package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Checks of how a framework treats clients that do not behave. Each takes a
// Target served with KILN_MAX_BODY_BYTES and KILN_READ_HEADER_TIMEOUT set as
// the check says, by the fixture's HTTP function (functions/*).

// Server is a framework process: where it serves, and how to stop it.
type Server struct {
	Target
	// Terminate sends the process SIGTERM.
	Terminate func() error
	// Exited is closed once the process has exited.
	Exited <-chan struct{}
}

// BodyLimit checks a server started with KILN_MAX_BODY_BYTES=limit: a body
// of limit bytes reaches the function, one byte more is a 413, and so is a
// chunked body over the limit.
func BodyLimit(t Target, limit int) error {
	body := append([]byte(`"`), bytes.Repeat([]byte("k"), limit-2)...)
	body = append(body, '"')
	if code, err := post(t.URL, bytes.NewReader(body), int64(len(body))); err != nil || code != http.StatusOK {
		return fmt.Errorf("POST of %d bytes (the limit): status %d, %v; want 200", len(body), code, err)
	}
	got, err := t.outputBytes()
	if err != nil || !bytes.Equal(got, body) {
		return fmt.Errorf("POST of %d bytes (the limit): the function received %d bytes (%v)", len(body), len(got), err)
	}
	over := bytes.Repeat([]byte("x"), limit+1)
	if code, err := post(t.URL, bytes.NewReader(over), int64(len(over))); err != nil || code != http.StatusRequestEntityTooLarge {
		return fmt.Errorf("POST of %d bytes (Content-Length, one over KILN_MAX_BODY_BYTES=%d): status %d, %v; want 413", len(over), limit, code, err)
	}
	over = bytes.Repeat([]byte("y"), 2*limit)
	if code, err := post(t.URL, io.NopCloser(bytes.NewReader(over)), -1); err != nil || code != http.StatusRequestEntityTooLarge {
		return fmt.Errorf("chunked POST of %d bytes (KILN_MAX_BODY_BYTES=%d): status %d, %v; want 413", len(over), limit, code, err)
	}
	return nil
}

// BadContentLength checks that a negative or non-numeric Content-Length is a 400.
func BadContentLength(t Target) error {
	for _, v := range []string{"-1", "12abc"} {
		resp, err := rawExchange(t.URL, "POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: "+v+"\r\n\r\n", 10*time.Second)
		if err != nil {
			return fmt.Errorf("Content-Length: %s: %w", v, err)
		}
		if resp.StatusCode != http.StatusBadRequest {
			return fmt.Errorf("Content-Length: %s: status %d, want 400", v, resp.StatusCode)
		}
	}
	return nil
}

// ChunkedBody checks that a body sent in several chunks (one with a chunk
// extension) reaches the function whole. No trailer: the JDK's server drops
// a request that has one.
func ChunkedBody(t Target) error {
	want := fmt.Sprintf(`{"res":"PASS","chunked":%d}`, time.Now().UnixNano())
	var b strings.Builder
	b.WriteString("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
	for i, part := range []string{want[:5], want[5:6], want[6:]} {
		ext := ""
		if i == 1 {
			ext = ";name=value"
		}
		fmt.Fprintf(&b, "%x%s\r\n%s\r\n", len(part), ext, part)
	}
	b.WriteString("0\r\n\r\n")
	resp, err := rawExchange(t.URL, b.String(), 10*time.Second)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("chunked POST: status %d, want 200", resp.StatusCode)
	}
	got, err := t.outputBytes()
	if err != nil || string(got) != want {
		return fmt.Errorf("chunked POST: the function received %q (%v), sent %q", got, err, want)
	}
	return nil
}

// DisconnectMidBody checks that a client leaving halfway through a body
// does not stop the server: the HTTP check passes afterwards.
func DisconnectMidBody(t Target) error {
	c, err := dial(t.URL)
	if err != nil {
		return err
	}
	_, err = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"+strings.Repeat(" ", 64*1024))
	c.Close()
	if err != nil {
		return fmt.Errorf("sending half a body: %w", err)
	}
	if err := HTTP(t); err != nil {
		return fmt.Errorf("after a client left mid-body: %w", err)
	}
	return nil
}

// Slowloris checks a server started with KILN_READ_HEADER_TIMEOUT=timeout:
// a connection that sends nothing, and one whose headers never finish, are
// both closed (an answer such as 408 first is fine) within timeout plus
// slack (the frameworks' timers tick at up to a second).
func Slowloris(t Target, timeout time.Duration) error {
	const slack = 3 * time.Second
	errs := make(chan error, 2)
	for _, sent := range []string{"", "GET / HTTP/1.1\r\nHost: x\r\nX-Slow: "} {
		go func() {
			c, err := dial(t.URL)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close()
			if _, err := io.WriteString(c, sent); err != nil {
				errs <- err
				return
			}
			start := time.Now()
			c.SetReadDeadline(start.Add(timeout + slack))
			_, err = io.Copy(io.Discard, c)
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				errs <- fmt.Errorf("after sending %q the connection was still open %s later (KILN_READ_HEADER_TIMEOUT=%g)", sent, time.Since(start).Round(time.Millisecond), timeout.Seconds())
				return
			}
			errs <- nil // EOF or a reset: closed
		}()
	}
	return errors.Join(<-errs, <-errs)
}

// IdleConnections opens n connections that each make one request and then
// stay open, idle; a new client must still be answered. The caller closes
// them with the returned function (or terminates the server first).
func IdleConnections(t Target, n int) (closeAll func(), err error) {
	var conns []net.Conn
	closeAll = func() {
		for _, c := range conns {
			c.Close()
		}
	}
	for i := 0; i < n; i++ {
		c, err := dial(t.URL)
		if err != nil {
			closeAll()
			return func() {}, fmt.Errorf("connection %d of %d: %w", i+1, n, err)
		}
		conns = append(conns, c)
		c.SetDeadline(time.Now().Add(30 * time.Second))
		io.WriteString(c, "GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			closeAll()
			return func() {}, fmt.Errorf("connection %d of %d: %w", i+1, n, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.Close {
			closeAll()
			return func() {}, fmt.Errorf("connection %d of %d: the server closed a kept-alive connection after one request (status %d)", i+1, n, resp.StatusCode)
		}
		c.SetDeadline(time.Time{})
	}
	if err := HTTP(t); err != nil {
		closeAll()
		return func() {}, fmt.Errorf("with %d idle keep-alive connections open: %w", n, err)
	}
	return closeAll, nil
}

// ExitsWithin sends SIGTERM and checks that the process exits within grace.
func ExitsWithin(s Server, grace time.Duration) error {
	start := time.Now()
	if err := s.Terminate(); err != nil {
		return err
	}
	select {
	case <-s.Exited:
		return nil
	case <-time.After(grace):
		return fmt.Errorf("still running %s after SIGTERM (grace %s)", time.Since(start).Round(time.Millisecond), grace)
	}
}

// Drain checks graceful shutdown: a call that is inside the function when
// SIGTERM arrives (the fixture's ?sleep=D&id=X, which writes
// {"started":"X"} first) completes with 200, and the process then exits
// within grace.
func Drain(s Server, d, grace time.Duration) error {
	id := fmt.Sprintf("drain-%d", time.Now().UnixNano())
	done := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: d + grace}
		resp, err := client.Get(fmt.Sprintf("%s/?sleep=%gs&id=%s", s.URL, d.Seconds(), id))
		if err != nil {
			done <- fmt.Errorf("the call in flight at SIGTERM: %w", err)
			return
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			err = fmt.Errorf("the call in flight at SIGTERM: status %d, want 200", resp.StatusCode)
		}
		done <- err
	}()
	if err := waitStarted(s.Target, id, 30*time.Second, done); err != nil {
		return err
	}
	if err := ExitsWithin(s, grace); err != nil {
		return err
	}
	return <-done
}

// waitStarted polls the output file until the fixture wrote {"started":id}.
func waitStarted(t Target, id string, max time.Duration, failed <-chan error) error {
	deadline := time.Now().Add(max)
	for tick := time.NewTicker(10 * time.Millisecond); ; <-tick.C {
		var out struct{ Started string }
		if b, err := os.ReadFile(t.OutputFile); err == nil && json.Unmarshal(b, &out) == nil && out.Started == id {
			tick.Stop()
			return nil
		}
		select {
		case err := <-failed:
			return fmt.Errorf("the slow call ended before it started: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the fixture did not write {\"started\":%q} to %s within %s", id, t.OutputFile, max)
		}
	}
}

// BigBody POSTs size bytes of nothing, more than the default
// KILN_MAX_BODY_BYTES: the answer must be 413 (or the server may cut the
// connection once it has answered). The caller then checks the server lives.
func BigBody(rawURL string, size int64) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, io.LimitReader(zeros{}, size))
	if err != nil {
		return err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := (&http.Client{Transport: &http.Transport{DisableKeepAlives: true}}).Do(req)
	if err != nil {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return fmt.Errorf("POST of %d bytes: %w", size, err)
		}
		return nil // cut off while sending: the server did not take it
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		return fmt.Errorf("POST of %d bytes: status %d, want 413 (the default KILN_MAX_BODY_BYTES is 33554432)", size, resp.StatusCode)
	}
	return nil
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

func (t Target) outputBytes() ([]byte, error) {
	return os.ReadFile(t.OutputFile)
}

// post sends body (chunked when size is -1) on a connection of its own and returns the status.
func post(rawURL string, body io.Reader, size int64) (int, error) {
	req, err := http.NewRequest(http.MethodPost, rawURL, body)
	if err != nil {
		return 0, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/json")
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func dial(rawURL string) (net.Conn, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	return net.DialTimeout("tcp", u.Host, 10*time.Second)
}

// rawExchange writes raw on a new connection and reads one response.
func rawExchange(rawURL, raw string, max time.Duration) (*http.Response, error) {
	c, err := dial(rawURL)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(max))
	if _, err := io.WriteString(c, raw); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp, nil
}
