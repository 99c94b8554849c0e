package funcframework

import (
	"fmt"
	"log"
	"net/http"
	"runtime/debug"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
)

// HTTPHandler wraps an HTTP function with the framework's contract.
func HTTPHandler(fn functions.HTTPFunction) http.Handler {
	return frame(http.HandlerFunc(fn))
}

// CloudEventHandler wraps a CloudEvent function: it decodes the event (binary
// or structured mode), answers 400 for a malformed event, 500 when the
// function returns an error, and 200 otherwise.
func CloudEventHandler(fn functions.CloudEventFunction) http.Handler {
	return frame(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "CloudEvents are delivered with POST", http.StatusMethodNotAllowed)
			return
		}
		e, err := cloudevents.FromRequest(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
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

// frame adds what every function gets: 404 for browser noise and panic recovery.
func frame(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/favicon.ico" || r.URL.Path == "/robots.txt" {
			http.NotFound(w, r)
			return
		}
		rw := &trackingWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Printf("function panicked serving %s %s: %v\n%s", r.Method, r.URL.Path, v, debug.Stack())
				if !rw.wrote {
					http.Error(w, "Internal Server Error: the function panicked", http.StatusInternalServerError)
				}
			}
		}()
		next.ServeHTTP(rw, r)
	})
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
