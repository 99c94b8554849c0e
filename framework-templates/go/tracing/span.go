package tracing

import (
	"context"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Kind is the OTLP span kind.
type Kind int

// OTLP span kinds.
const (
	KindInternal Kind = 1
	KindServer   Kind = 2
	KindClient   Kind = 3
	KindProducer Kind = 4
	KindConsumer Kind = 5
)

// Span is one timed operation. A nil *Span is valid and records nothing, so
// callers need not check whether tracing is on.
type Span struct {
	tracer *Tracer
	name   string
	kind   Kind
	ctx    SpanContext
	parent [8]byte
	start  time.Time
	mu     sync.Mutex
	attrs  map[string]string
	errMsg string
	failed bool
	ended  bool
}

type spanKey struct{}

// FromContext returns the span ctx carries, or nil.
func FromContext(ctx context.Context) *Span {
	s, _ := ctx.Value(spanKey{}).(*Span)
	return s
}

// Start begins a span named name. Its parent is the span in ctx, else the
// traceparent header in incoming, else it starts a new trace. With a nil
// Tracer it returns ctx and a nil span.
func (t *Tracer) Start(ctx context.Context, name string, kind Kind, incoming http.Header) (context.Context, *Span) {
	if t == nil {
		return ctx, nil
	}
	s := &Span{tracer: t, name: name, kind: kind, start: time.Now(), attrs: map[string]string{}}
	if p := FromContext(ctx); p != nil {
		s.ctx.TraceID, s.parent, s.ctx.Sampled = p.ctx.TraceID, p.ctx.SpanID, p.ctx.Sampled
	} else if pc, err := ParseTraceParent(incoming.Get("Traceparent")); err == nil {
		s.ctx.TraceID, s.parent, s.ctx.Sampled = pc.TraceID, pc.SpanID, pc.Sampled
	} else {
		s.ctx.TraceID, s.ctx.Sampled = newTraceID(), true
	}
	s.ctx.SpanID = newSpanID()
	return context.WithValue(ctx, spanKey{}, s), s
}

// SetAttr records a string attribute.
func (s *Span) SetAttr(key, value string) {
	if s == nil {
		return
	}
	s.mu.Lock()
	s.attrs[key] = value
	s.mu.Unlock()
}

// SetCode records an HTTP-style result code; 500 and above mark the span failed.
func (s *Span) SetCode(code int) {
	if s == nil {
		return
	}
	s.SetAttr("http.response.status_code", strconv.Itoa(code))
	if code >= 500 {
		s.mu.Lock()
		s.failed = true
		s.mu.Unlock()
	}
}

// Fail marks the span failed with err's message.
func (s *Span) Fail(err error) {
	if s == nil || err == nil {
		return
	}
	s.mu.Lock()
	s.failed, s.errMsg = true, err.Error()
	s.mu.Unlock()
}

// Inject writes the span's traceparent into h, for the next hop.
func (s *Span) Inject(h http.Header) {
	if s == nil {
		return
	}
	h.Set("Traceparent", s.ctx.TraceParent())
}

// Context is the span's identity.
func (s *Span) Context() SpanContext {
	if s == nil {
		return SpanContext{}
	}
	return s.ctx
}

// End finishes the span and queues it for export.
func (s *Span) End() {
	if s == nil {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	rec := spanRecord{
		TraceID:           hex.EncodeToString(s.ctx.TraceID[:]),
		SpanID:            hex.EncodeToString(s.ctx.SpanID[:]),
		Name:              s.name,
		Kind:              int(s.kind),
		StartTimeUnixNano: strconv.FormatInt(s.start.UnixNano(), 10),
		EndTimeUnixNano:   strconv.FormatInt(time.Now().UnixNano(), 10),
		Attributes:        attributes(s.attrs),
		Status:            status{Code: 1},
	}
	if s.parent != [8]byte{} {
		rec.ParentSpanID = hex.EncodeToString(s.parent[:])
	}
	if s.failed {
		rec.Status = status{Code: 2, Message: s.errMsg}
	}
	s.mu.Unlock()
	if s.ctx.Sampled {
		s.tracer.exp.add(rec)
	}
}
