package server

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// ErrBodyTooLarge is what a function's Write returns once the framework has
// answered 413 in its place.
var ErrBodyTooLarge = errors.New("the request body is over " + MaxBodyEnv + "; the framework answered 413")

// TooLarge writes the 413 answer for a body over max bytes.
func TooLarge(w http.ResponseWriter, max int64) {
	w.Header().Set("Connection", "close")
	http.Error(w, fmt.Sprintf("request body is larger than %d bytes (%s)", max, MaxBodyEnv), http.StatusRequestEntityTooLarge)
}

// LimitBody bounds the body next can read to max bytes. A declared length
// over max is answered 413 before next runs. A body that turns out longer
// (chunked) fails next's read; if next has not started its response then,
// its status becomes 413 and what it writes is dropped, so every oversized
// request gets a 413 whatever the function does with the read error. A
// request without a body reaches next as it came (nothing to bound).
func LimitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			TooLarge(w, max)
			return
		}
		if !HasBody(r) {
			next.ServeHTTP(w, r)
			return
		}
		var b Bound
		next.ServeHTTP(b.Begin(w, r, max), r)
		b.End()
	})
}

// HasBody says whether r may carry a body: net/http gives a request without
// one (no Content-Length, not chunked) http.NoBody.
func HasBody(r *http.Request) bool { return r.Body != nil && r.Body != http.NoBody }

// Bound is LimitBody for one request, for a handler that keeps it in its own
// per-request struct (one allocation for both): Begin, serve with the writer
// it returns, End. The caller answers 413 for a declared length over max.
type Bound struct {
	w limitWriter
	r limitReader
}

// Begin bounds r's body to max bytes and returns the writer the function
// must be given.
func (b *Bound) Begin(w http.ResponseWriter, r *http.Request, max int64) http.ResponseWriter {
	b.w = limitWriter{ResponseWriter: w, max: max}
	b.r = limitReader{body: http.MaxBytesReader(w, r.Body, max), w: &b.w}
	r.Body = &b.r
	return &b.w
}

// End answers 413 when the body went over the limit and the function had not
// started its response.
func (b *Bound) End() {
	b.w.mu.Lock()
	defer b.w.mu.Unlock()
	if b.w.over && !b.w.started {
		b.w.answer()
	}
}

// limitReader notes in its writer when the body went over the limit.
type limitReader struct {
	body io.ReadCloser
	w    *limitWriter
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.body.Read(p)
	if err != nil && err != io.EOF && isMaxBytes(err) {
		l.w.mu.Lock()
		l.w.over = true
		l.w.mu.Unlock()
	}
	return n, err
}

// isMaxBytes says whether err is http.MaxBytesReader's over-the-limit error;
// kept out of Read so the error target escapes only on an error.
func isMaxBytes(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}

func (l *limitReader) Close() error { return l.body.Close() }

// limitWriter replaces the response with a 413 when the body went over the
// limit before the response started.
type limitWriter struct {
	http.ResponseWriter
	max int64

	mu       sync.Mutex
	over     bool // the body read hit the limit
	started  bool // a status went out (the function's or the 413)
	replaced bool // the status that went out is the 413
}

// answer sends the 413; mu is held.
func (l *limitWriter) answer() {
	l.started, l.replaced = true, true
	TooLarge(l.ResponseWriter, l.max)
}

// start sends the function's status unless the body is over the limit; it
// says whether the function's output may go through. mu is held.
func (l *limitWriter) start(code int) bool {
	if !l.started {
		if l.over {
			l.answer()
			return false
		}
		l.started = true
		if code != 0 {
			l.ResponseWriter.WriteHeader(code)
		}
	}
	return !l.replaced
}

func (l *limitWriter) WriteHeader(code int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if code >= 100 && code < 200 && !l.over { // informational: the real status is still to come
		l.ResponseWriter.WriteHeader(code)
		return
	}
	l.start(code)
}

func (l *limitWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	ok := l.start(0)
	l.mu.Unlock()
	if !ok {
		return 0, ErrBodyTooLarge
	}
	return l.ResponseWriter.Write(b)
}

func (l *limitWriter) Flush() {
	l.mu.Lock()
	ok := l.start(0)
	l.mu.Unlock()
	if f, isFlusher := l.ResponseWriter.(http.Flusher); ok && isFlusher {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (l *limitWriter) Unwrap() http.ResponseWriter { return l.ResponseWriter }
