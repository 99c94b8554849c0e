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
// request gets a 413 whatever the function does with the read error.
func LimitBody(next http.Handler, max int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > max {
			TooLarge(w, max)
			return
		}
		lw := &limitWriter{ResponseWriter: w, max: max}
		r.Body = &limitReader{body: http.MaxBytesReader(w, r.Body, max), w: lw}
		next.ServeHTTP(lw, r)
		lw.mu.Lock()
		defer lw.mu.Unlock()
		if lw.over && !lw.started {
			lw.answer()
		}
	})
}

// limitReader notes in its writer when the body went over the limit.
type limitReader struct {
	body io.ReadCloser
	w    *limitWriter
}

func (l *limitReader) Read(p []byte) (int, error) {
	n, err := l.body.Read(p)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		l.w.mu.Lock()
		l.w.over = true
		l.w.mu.Unlock()
	}
	return n, err
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
