package cloudevents

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// event is a structured event whose total size is n bytes (n >= 80).
func structuredOfSize(n int) string {
	head := `{"specversion":"1.0","id":"1","source":"s","type":"t","data":"`
	tail := `"}`
	return head + strings.Repeat("x", n-len(head)-len(tail)) + tail
}

// hideLength makes r's body look chunked: no Content-Length to refuse early.
func hideLength(r *http.Request) *http.Request {
	r.ContentLength = -1
	r.Body = io.NopCloser(r.Body)
	return r
}

func binaryOfSize(n int) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(strings.Repeat("b", n)))
	r.Header.Set("Ce-Specversion", "1.0")
	r.Header.Set("Ce-Id", "1")
	r.Header.Set("Ce-Source", "s")
	r.Header.Set("Ce-Type", "t")
	r.Header.Set("Content-Type", "text/plain")
	return r
}

func structuredRequest(n int) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(structuredOfSize(n)))
	r.Header.Set("Content-Type", StructuredContentType)
	return r
}

// TestBodyLimit: a body of exactly the limit is an event, one byte more is
// ErrBodyTooLarge, in both modes, whether the length is declared or not.
func TestBodyLimit(t *testing.T) {
	const limit = 100
	for _, tt := range []struct {
		name string
		make func(n int) *http.Request
		want string // error for limit+1 bytes
	}{
		{"binary, Content-Length", binaryOfSize, "cloudevents: request body is too large: Content-Length 101 is over 100 bytes"},
		{"binary, chunked", func(n int) *http.Request { return hideLength(binaryOfSize(n)) }, "cloudevents: request body is too large: over 100 bytes"},
		{"structured, Content-Length", structuredRequest, "cloudevents: request body is too large: Content-Length 101 is over 100 bytes"},
		{"structured, chunked", func(n int) *http.Request { return hideLength(structuredRequest(n)) }, "cloudevents: request body is too large: over 100 bytes"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, err := FromRequestLimited(tt.make(limit), limit)
			if err != nil || e.ID != "1" {
				t.Fatalf("a body of exactly the limit: %+v %v", e, err)
			}
			_, err = FromRequestLimited(tt.make(limit+1), limit)
			if !errors.Is(err, ErrBodyTooLarge) || err.Error() != tt.want {
				t.Fatalf("a body one byte over the limit: err = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestBodyLimitOfAMaxBytesReader: a server's http.MaxBytesReader bound is
// reported as ErrBodyTooLarge with its limit.
func TestBodyLimitOfAMaxBytesReader(t *testing.T) {
	for _, r := range []*http.Request{hideLength(binaryOfSize(101)), hideLength(structuredRequest(101))} {
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 100)
		_, err := FromRequest(r)
		if !errors.Is(err, ErrBodyTooLarge) || err.Error() != "cloudevents: request body is too large: over 100 bytes" {
			t.Fatalf("err = %v", err)
		}
	}
}

// TestFromRequestDefaultLimit: FromRequest itself bounds the body at
// MaxBodyBytes (32 MiB); a declared length over it is refused unread.
func TestFromRequestDefaultLimit(t *testing.T) {
	if MaxBodyBytes != 32<<20 {
		t.Fatalf("MaxBodyBytes = %d, the documented default is 32 MiB", MaxBodyBytes)
	}
	for _, r := range []*http.Request{binaryOfSize(0), structuredRequest(100)} {
		r.ContentLength = MaxBodyBytes + 1
		_, err := FromRequest(r)
		if !errors.Is(err, ErrBodyTooLarge) || !strings.Contains(err.Error(), "Content-Length 33554433 is over 33554432 bytes") {
			t.Fatalf("err = %v", err)
		}
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestBodyReadError(t *testing.T) {
	r := binaryOfSize(0)
	r.Body = io.NopCloser(failingReader{})
	_, err := FromRequest(r)
	if err == nil || err.Error() != "cloudevents: reading body: connection reset" || errors.Is(err, ErrBodyTooLarge) {
		t.Fatalf("err = %v", err)
	}
	r = binaryOfSize(0)
	r.Body = nil // a client-side request without a body
	if e, err := FromRequest(r); err != nil || e.Data != nil {
		t.Fatalf("nil body: %+v %v", e, err)
	}
}
