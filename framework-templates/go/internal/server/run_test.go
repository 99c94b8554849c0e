package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestRunReturnsServeError(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	err = Run(context.Background(), New(http.NotFoundHandler(), Defaults()), ln, time.Second)
	if err == nil || errors.Is(err, http.ErrServerClosed) {
		t.Fatalf("Run on a closed listener: %v", err)
	}
}

// TestRunCutsOffAfterGrace: a request still running when the grace is over
// is cut off (its client sees the connection close) and Run returns.
func TestRunCutsOffAfterGrace(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	release := make(chan struct{})
	defer close(release)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
	})
	ctx, cancel := context.WithCancel(context.Background())
	ran := make(chan error, 1)
	go func() { ran <- Run(ctx, New(h, Defaults()), ln, 50*time.Millisecond) }()
	got := make(chan error, 1)
	go func() {
		c := &http.Client{Transport: &http.Transport{}}
		resp, err := c.Get("http://" + ln.Addr().String())
		if err == nil {
			resp.Body.Close()
		}
		got <- err
	}()
	select {
	case <-entered:
	case <-time.After(10 * time.Second):
		t.Fatal("the request never reached the handler")
	}
	cancel()
	select {
	case err := <-ran:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after its grace")
	}
	select {
	case err := <-got:
		if err == nil {
			t.Fatal("the stuck request got a response; it should have been cut off")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stuck request was not cut off after the grace")
	}
}
