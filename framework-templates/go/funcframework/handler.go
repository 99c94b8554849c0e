package funcframework

import (
	"errors"
	"fmt"
	"log"
	"net/http"
	"runtime/debug"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/server"
)

// HTTPHandler wraps an HTTP function with the framework's contract.
func HTTPHandler(fn functions.HTTPFunction) http.Handler {
	return frame(http.HandlerFunc(fn))
}

// CloudEventHandler wraps a CloudEvent function: it decodes the event (binary
// or structured mode), answers 400 for a malformed event, 413 for a body over
// KILN_MAX_BODY_BYTES, 500 when the function returns an error, and 200
// otherwise.
func CloudEventHandler(fn functions.CloudEventFunction) http.Handler {
	max := maxBodyBytes()
	return frameWith(max, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "CloudEvents are delivered with POST", http.StatusMethodNotAllowed)
			return
		}
		e, err := cloudevents.FromRequestLimited(r, max)
		if err != nil {
			bodyError(w, err, max)
			return
		}
		if err := fn(r.Context(), e); err != nil {
			log.Printf("function error for event %s: %v", e.ID, err)
			http.Error(w, fmt.Sprintf("function error: %v", err), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
}

// maxBodyBytes is KILN_MAX_BODY_BYTES, or its default when unset or bad (the
// server refuses to start on a bad value; a handler is built before that).
func maxBodyBytes() int64 {
	n, _ := server.MaxBodyBytes()
	return n
}

// bodyError answers a request whose body could not be read or decoded: 413
// when it is over the limit, else 400 with the reason. It returns the status.
func bodyError(w http.ResponseWriter, err error, max int64) int {
	var mbe *http.MaxBytesError
	if errors.Is(err, cloudevents.ErrBodyTooLarge) || errors.As(err, &mbe) {
		server.TooLarge(w, max)
		return http.StatusRequestEntityTooLarge
	}
	http.Error(w, err.Error(), http.StatusBadRequest)
	return http.StatusBadRequest
}

// frame adds what every function gets: the body bound (413 beyond
// KILN_MAX_BODY_BYTES), 404 for browser noise and panic recovery.
func frame(next http.Handler) http.Handler { return frameWith(maxBodyBytes(), next) }

func frameWith(max int64, next http.Handler) http.Handler { return &framed{next: next, max: max} }

// framed is frame's handler. Its cost per request is one allocation: the
// trackingWriter, or for a request with a body the withBody holding it and
// the body bound (plus http.MaxBytesReader's).
type framed struct {
	next http.Handler
	max  int64
}

// withBody is what a request with a body needs, in one allocation.
type withBody struct {
	track trackingWriter
	bound server.Bound
}

func (f *framed) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > f.max {
		server.TooLarge(w, f.max)
		return
	}
	if r.URL.Path == "/favicon.ico" || r.URL.Path == "/robots.txt" {
		http.NotFound(w, r)
		return
	}
	if !server.HasBody(r) {
		f.serve(&trackingWriter{ResponseWriter: w}, r)
		return
	}
	b := &withBody{}
	b.track.ResponseWriter = b.bound.Begin(w, r, f.max)
	f.serve(&b.track, r)
	b.bound.End() // not deferred: after http.ErrAbortHandler the connection is cut, nothing is answered
}

// serve runs the function on t, answering 500 for a panic if the function
// had not started its response (http.ErrAbortHandler goes on to net/http).
func (f *framed) serve(t *trackingWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.Printf("function panicked serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
			if !t.wrote {
				http.Error(t.ResponseWriter, "Internal Server Error: the function panicked", http.StatusInternalServerError)
			}
		}
	}()
	f.next.ServeHTTP(t, r)
}

// trackingWriter remembers whether the function already started a response,
// so a panic after that does not write a second status line.
type trackingWriter struct {
	http.ResponseWriter
	wrote bool
}

func (t *trackingWriter) WriteHeader(code int) {
	t.wrote = true
	t.ResponseWriter.WriteHeader(code)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	t.wrote = true
	return t.ResponseWriter.Write(b)
}

func (t *trackingWriter) Flush() {
	if f, ok := t.ResponseWriter.(http.Flusher); ok {
		t.wrote = true
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (t *trackingWriter) Unwrap() http.ResponseWriter { return t.ResponseWriter }
