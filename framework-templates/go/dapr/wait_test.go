package dapr

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

// WaitReady needs an HTTP/2 answer, not just an accepted connection: a port
// forwarder (kiln run's, into the function's network namespace) accepts
// while nothing listens behind it, and the function must still see daprd
// missing.
func TestWaitReadyNeedsHTTP2(t *testing.T) {
	grpcServer := listen(t, (&App{}).ServeGRPC) // Go's HTTP/2 server, as daprd's gRPC port answers
	hold := make(chan struct{})
	t.Cleanup(func() { close(hold) })
	for _, tc := range []struct {
		name  string
		addr  string
		ready bool
		why   string
	}{
		{"a gRPC server", grpcServer, true, ""},
		{"a forwarder with nothing behind (accepts, then closes)", acceptThen(t, func(c net.Conn) { c.Close() }), false, "connected, but no HTTP/2 answer"},
		{"a silent listener", acceptThen(t, func(c net.Conn) { <-hold; c.Close() }), false, "connected, but no HTTP/2 answer"},
		{"an HTTP/1 server", acceptThen(t, func(c net.Conn) {
			c.Write([]byte("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
		}), false, "not SETTINGS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Client{Addr: tc.addr, Wait: 300 * time.Millisecond}
			start := time.Now()
			err := c.WaitReady(context.Background())
			if tc.ready {
				if err != nil {
					t.Fatalf("WaitReady: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrSidecarUnreachable) || !strings.Contains(err.Error(), tc.why) {
				t.Fatalf("WaitReady = %v; want ErrSidecarUnreachable saying %q", err, tc.why)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Fatalf("took %s; Wait was 300ms", d)
			}
		})
	}
}

// acceptThen serves every connection with handle on a loopback listener.
func acceptThen(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go handle(c)
		}
	}()
	return ln.Addr().String()
}
