package server

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// chunked is a body of n bytes whose length the client cannot know, so it
// goes out chunked.
type chunked struct{ r io.Reader }

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p) }

func body(n int, declared bool) io.Reader {
	r := strings.NewReader(strings.Repeat("x", n))
	if declared {
		return r
	}
	return chunked{r}
}

// TestLimitBody runs LimitBody behind a real server with a 10-byte bound:
// whatever the function does with the read error, a body over the bound is
// answered 413 unless the function had already started its response.
func TestLimitBody(t *testing.T) {
	const max = 10
	writeErrs := make(chan error, 1)
	fn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("answer-first") != "" {
			w.WriteHeader(http.StatusAccepted)
			w.(http.Flusher).Flush()
		}
		b, err := io.ReadAll(r.Body)
		switch r.URL.Query().Get("then") {
		case "ignore": // the read error goes unnoticed: answer as if all was well
			w.Write([]byte("read " + string(b)))
			_, err := w.Write([]byte("!"))
			writeErrs <- err
		case "error": // the usual reaction to a read error
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			w.Write(b)
		case "flush":
			w.(http.Flusher).Flush()
		case "silent": // write nothing at all
		}
	})
	srv := httptest.NewServer(LimitBody(fn, max))
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	defer c.CloseIdleConnections()
	tooLarge := "request body is larger than 10 bytes (KILN_MAX_BODY_BYTES)\n"
	for _, tt := range []struct {
		query    string
		n        int
		declared bool
		code     int
		resp     string
	}{
		{"then=error", 10, true, 200, "xxxxxxxxxx"},
		{"then=error", 10, false, 200, "xxxxxxxxxx"},
		{"then=error", 11, true, 413, tooLarge},
		{"then=error", 11, false, 413, tooLarge},
		{"then=ignore", 11, false, 413, tooLarge},
		{"then=silent", 11, false, 413, tooLarge},
		{"then=flush", 11, false, 413, tooLarge},
		{"then=silent", 0, true, 200, ""},
		{"answer-first=1&then=silent", 11, false, 202, ""},
	} {
		resp, err := c.Post(srv.URL+"/?"+tt.query, "text/plain", body(tt.n, tt.declared))
		if err != nil {
			t.Fatalf("%s %d bytes: %v", tt.query, tt.n, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || string(b) != tt.resp {
			t.Errorf("%s, %d bytes (declared %v): %d %q, want %d %q", tt.query, tt.n, tt.declared, resp.StatusCode, b, tt.code, tt.resp)
		}
		if tt.code == 413 && !resp.Close {
			t.Errorf("%s: a 413 should close the connection (the rest of the body is unread)", tt.query)
		}
		if tt.query == "then=ignore" {
			if err := <-writeErrs; !errors.Is(err, ErrBodyTooLarge) {
				t.Errorf("the function's Write after the 413: %v, want ErrBodyTooLarge", err)
			}
		}
	}
}

// TestLimitBodyUnwraps: for a request with a body, http.ResponseController
// reaches the real writer, and an informational status does not count as the
// start of the response.
func TestLimitBodyUnwraps(t *testing.T) {
	unwrapped := make(chan bool, 1)
	srv := httptest.NewServer(LimitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, isLimit := w.(interface{ Unwrap() http.ResponseWriter }).Unwrap().(*limitWriter)
		unwrapped <- !isLimit
		w.WriteHeader(http.StatusEarlyHints)
		w.WriteHeader(http.StatusTeapot)
	}), 10))
	defer srv.Close()
	resp, err := http.Post(srv.URL, "text/plain", strings.NewReader("body"))
	if err != nil || resp.StatusCode != http.StatusTeapot {
		t.Fatalf("status %v %v", resp, err)
	}
	resp.Body.Close()
	if !<-unwrapped {
		t.Fatal("Unwrap returned the limit writer itself")
	}
}

// TestLimitBodyPassesABodilessRequestOn: a request without a body reaches
// the function with the server's own writer and body: nothing to bound, no
// wrapper to pay for.
func TestLimitBodyPassesABodilessRequestOn(t *testing.T) {
	wrapped := make(chan bool, 1)
	srv := httptest.NewServer(LimitBody(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, isLimit := w.(*limitWriter)
		wrapped <- isLimit || r.Body != http.NoBody
	}), 10))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if <-wrapped {
		t.Fatal("a GET without a body was wrapped")
	}
}
