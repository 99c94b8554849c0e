package server

import (
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"
)

// MaxBodyEnv is the env var that bounds a request body; the same name is read
// by Kiln's Node.js, Python and Java frameworks.
const MaxBodyEnv = "KILN_MAX_BODY_BYTES"

// HeaderTimeoutEnv is the env var that bounds, in seconds, how long a client
// may take to send a request's line and headers; the same name is read by
// Kiln's Node.js, Python and Java frameworks.
const HeaderTimeoutEnv = "KILN_READ_HEADER_TIMEOUT"

// Defaults of Limits.
const (
	DefaultMaxBodyBytes = 32 << 20 // 32 MiB
	// ReadHeaderTimeout closes a connection whose request line and headers
	// take longer (a slowloris client).
	ReadHeaderTimeout = 10 * time.Second
	// IdleTimeout closes a keep-alive connection that sends no new request; it
	// is longer than Go's and daprd's client-side idle timeout (90 s), so the
	// client, not the server, retires an idle connection.
	IdleTimeout = 120 * time.Second
	// MaxHeaderBytes bounds request line plus headers (431 beyond); Envoy,
	// in front of Knative services, allows 60 KiB.
	MaxHeaderBytes = 64 << 10
	// ShutdownGrace bounds the drain of in-flight requests after SIGTERM.
	ShutdownGrace = 10 * time.Second
)

// Limits bound what one client can send or hold.
type Limits struct {
	MaxBodyBytes      int64
	ReadHeaderTimeout time.Duration
	IdleTimeout       time.Duration
	MaxHeaderBytes    int
	ShutdownGrace     time.Duration
	// OnShutdown, when set, is called as a graceful drain begins (the
	// listener is closed, in-flight requests are still running); tests use it
	// to overlap a drain with a request.
	OnShutdown func()
}

// Defaults are the limits without any env var set.
func Defaults() Limits {
	return Limits{MaxBodyBytes: DefaultMaxBodyBytes, ReadHeaderTimeout: ReadHeaderTimeout, IdleTimeout: IdleTimeout,
		MaxHeaderBytes: MaxHeaderBytes, ShutdownGrace: ShutdownGrace}
}

// FromEnv is Defaults with KILN_MAX_BODY_BYTES and KILN_READ_HEADER_TIMEOUT
// applied; a value that is not a positive number (of bytes, of seconds) is an
// error naming the variable, and its default is kept.
func FromEnv() (Limits, error) {
	l := Defaults()
	n, err := MaxBodyBytes()
	l.MaxBodyBytes = n
	d, terr := readHeaderTimeout()
	l.ReadHeaderTimeout = d
	if err == nil {
		err = terr
	}
	return l, err
}

// readHeaderTimeout reads KILN_READ_HEADER_TIMEOUT in seconds (fractions
// allowed): unset or empty is the default, 10 s.
func readHeaderTimeout() (time.Duration, error) {
	v := strings.TrimSpace(os.Getenv(HeaderTimeoutEnv))
	if v == "" {
		return ReadHeaderTimeout, nil
	}
	s, err := strconv.ParseFloat(v, 64)
	if err != nil || !(s > 0 && s < 1e6) {
		return ReadHeaderTimeout, fmt.Errorf("env %s=%q: want a positive number of seconds (unset: %d)", HeaderTimeoutEnv, os.Getenv(HeaderTimeoutEnv), int(ReadHeaderTimeout.Seconds()))
	}
	return time.Duration(s * float64(time.Second)), nil
}

// MaxBodyBytes reads KILN_MAX_BODY_BYTES: unset or empty is the default, 32
// MiB. On a bad value it returns the default and an error, so a handler built
// before the server starts stays bounded while the server refuses to start.
func MaxBodyBytes() (int64, error) {
	v := strings.TrimSpace(os.Getenv(MaxBodyEnv))
	if v == "" {
		return DefaultMaxBodyBytes, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return DefaultMaxBodyBytes, fmt.Errorf("env %s=%q: want a positive number of bytes (unset: %d, 32 MiB)", MaxBodyEnv, os.Getenv(MaxBodyEnv), int64(DefaultMaxBodyBytes))
	}
	return n, nil
}

// New makes a server for h with l's timeouts and header bound.
func New(h http.Handler, l Limits) *http.Server {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: l.ReadHeaderTimeout, IdleTimeout: l.IdleTimeout, MaxHeaderBytes: l.MaxHeaderBytes}
	if l.OnShutdown != nil {
		srv.RegisterOnShutdown(l.OnShutdown)
	}
	return srv
}
