package server

import (
	"context"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestMaxBodyBytesFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want int64
		err  string
	}{
		{"", 33554432, ""},
		{"1024", 1024, ""},
		{" 2048 ", 2048, ""},
		{"1", 1, ""},
		{"0", 33554432, `env KILN_MAX_BODY_BYTES="0": want a positive number of bytes (unset: 33554432, 32 MiB)`},
		{"-5", 33554432, `env KILN_MAX_BODY_BYTES="-5": want a positive number of bytes (unset: 33554432, 32 MiB)`},
		{"1MB", 33554432, `env KILN_MAX_BODY_BYTES="1MB": want a positive number of bytes (unset: 33554432, 32 MiB)`},
		{"99999999999999999999", 33554432, `env KILN_MAX_BODY_BYTES="99999999999999999999": want a positive number of bytes (unset: 33554432, 32 MiB)`},
	} {
		t.Setenv(MaxBodyEnv, tt.env)
		got, err := MaxBodyBytes()
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%s=%q: %d %v, want %d %q", MaxBodyEnv, tt.env, got, err, tt.want, tt.err)
		}
		l, err := FromEnv()
		if l.MaxBodyBytes != tt.want || (err == nil) != (tt.err == "") {
			t.Errorf("FromEnv with %q: %+v %v", tt.env, l, err)
		}
	}
}

func TestReadHeaderTimeoutFromEnv(t *testing.T) {
	for _, tt := range []struct {
		env  string
		want time.Duration
		err  string
	}{
		{"", 10 * time.Second, ""},
		{"1", time.Second, ""},
		{" 2.5 ", 2500 * time.Millisecond, ""},
		{"0.25", 250 * time.Millisecond, ""},
		{"0", 10 * time.Second, `env KILN_READ_HEADER_TIMEOUT="0": want a positive number of seconds (unset: 10)`},
		{"-1", 10 * time.Second, `env KILN_READ_HEADER_TIMEOUT="-1": want a positive number of seconds (unset: 10)`},
		{"10s", 10 * time.Second, `env KILN_READ_HEADER_TIMEOUT="10s": want a positive number of seconds (unset: 10)`},
		{"NaN", 10 * time.Second, `env KILN_READ_HEADER_TIMEOUT="NaN": want a positive number of seconds (unset: 10)`},
		{"1e7", 10 * time.Second, `env KILN_READ_HEADER_TIMEOUT="1e7": want a positive number of seconds (unset: 10)`},
	} {
		t.Setenv(MaxBodyEnv, "")
		t.Setenv(HeaderTimeoutEnv, tt.env)
		l, err := FromEnv()
		if l.ReadHeaderTimeout != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%s=%q: %s %v, want %s %q", HeaderTimeoutEnv, tt.env, l.ReadHeaderTimeout, err, tt.want, tt.err)
		}
		if l.MaxBodyBytes != DefaultMaxBodyBytes {
			t.Errorf("%s=%q changed the body limit: %d", HeaderTimeoutEnv, tt.env, l.MaxBodyBytes)
		}
	}
	// A bad body limit is reported first; the header timeout is still applied.
	t.Setenv(MaxBodyEnv, "0")
	t.Setenv(HeaderTimeoutEnv, "3")
	l, err := FromEnv()
	if err == nil || !strings.Contains(err.Error(), MaxBodyEnv) || l.ReadHeaderTimeout != 3*time.Second {
		t.Errorf("both set, body bad: %+v %v", l, err)
	}
}

func TestDefaultsAndNew(t *testing.T) {
	want := Limits{MaxBodyBytes: 32 << 20, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		MaxHeaderBytes: 64 << 10, ShutdownGrace: 10 * time.Second}
	if got := Defaults(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Defaults() = %+v, want %+v", got, want)
	}
	h := http.NotFoundHandler()
	called := make(chan struct{})
	srv := New(h, Limits{ReadHeaderTimeout: 1, IdleTimeout: 2, MaxHeaderBytes: 3, OnShutdown: func() { close(called) }})
	if srv.ReadHeaderTimeout != 1 || srv.IdleTimeout != 2 || srv.MaxHeaderBytes != 3 || srv.Handler == nil {
		t.Fatalf("New: %+v", srv)
	}
	srv.Shutdown(context.Background())
	select {
	case <-called:
	case <-time.After(10 * time.Second):
		t.Fatal("OnShutdown was not registered")
	}
}
