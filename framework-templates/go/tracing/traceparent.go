package tracing

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"
)

// SpanContext identifies a span: W3C trace-id and parent-id.
type SpanContext struct {
	TraceID [16]byte
	SpanID  [8]byte
	Sampled bool
}

// Valid reports whether both ids are non-zero.
func (c SpanContext) Valid() bool { return c.TraceID != [16]byte{} && c.SpanID != [8]byte{} }

// TraceParent renders the W3C traceparent header value.
func (c SpanContext) TraceParent() string {
	flags := "00"
	if c.Sampled {
		flags = "01"
	}
	return fmt.Sprintf("00-%s-%s-%s", hex.EncodeToString(c.TraceID[:]), hex.EncodeToString(c.SpanID[:]), flags)
}

// ParseTraceParent reads a W3C traceparent header value.
func ParseTraceParent(s string) (SpanContext, error) {
	var c SpanContext
	parts := strings.Split(strings.TrimSpace(s), "-")
	if len(parts) < 4 || len(parts[0]) != 2 || parts[0] == "ff" || len(parts[1]) != 32 || len(parts[2]) != 16 || len(parts[3]) != 2 {
		return c, fmt.Errorf("traceparent %q is not version-traceid-parentid-flags", s)
	}
	if parts[0] == "00" && len(parts) != 4 {
		return c, fmt.Errorf("traceparent %q has extra fields for version 00", s)
	}
	if _, err := hex.Decode(c.TraceID[:], []byte(parts[1])); err != nil {
		return c, fmt.Errorf("traceparent trace-id: %w", err)
	}
	if _, err := hex.Decode(c.SpanID[:], []byte(parts[2])); err != nil {
		return c, fmt.Errorf("traceparent parent-id: %w", err)
	}
	var flags [1]byte
	if _, err := hex.Decode(flags[:], []byte(parts[3])); err != nil {
		return c, fmt.Errorf("traceparent flags: %w", err)
	}
	c.Sampled = flags[0]&1 == 1
	if !c.Valid() {
		return c, fmt.Errorf("traceparent %q has an all-zero id", s)
	}
	return c, nil
}

func newTraceID() (id [16]byte) {
	rand.Read(id[:])
	return id
}

func newSpanID() (id [8]byte) {
	rand.Read(id[:])
	return id
}
