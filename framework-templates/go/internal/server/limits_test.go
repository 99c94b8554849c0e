package server

import (
	"context"
	"net/http"
	"reflect"
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
