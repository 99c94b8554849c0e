//go:build go1.24

package funcframework

import (
	"bufio"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/internal/server"
	"kiln.dev/functions-framework-go/routes"
)

// TestRootAnswersAsServeMux: root skips the ServeMux only for requests the
// mux would pass on unchanged; every request line gets the status, redirect
// and pattern a ServeMux with h at "/" gives it.
func TestRootAnswersAsServeMux(t *testing.T) {
	for _, line := range []string{
		"GET / HTTP/1.1",
		"GET /?name=x HTTP/1.1",
		"GET /a HTTP/1.1",
		"GET /a/ HTTP/1.1",
		"GET /a/b/ HTTP/1.1",
		"GET // HTTP/1.1",
		"GET /a// HTTP/1.1",
		"GET //a HTTP/1.1",
		"GET /a/../b?q=1 HTTP/1.1",
		"GET /a/./b HTTP/1.1",
		"GET /. HTTP/1.1",
		"GET /.. HTTP/1.1",
		"GET /a/.. HTTP/1.1",
		"GET /%2e%2e/a HTTP/1.1",
		"GET /a%2Fb HTTP/1.1",
		"GET http://x HTTP/1.1",
		"GET http://x/a/../b HTTP/1.1",
		"GET * HTTP/1.1",
		"POST * HTTP/1.1",
		"CONNECT x:443 HTTP/1.1",
		"CONNECT /a/../b HTTP/1.1",
	} {
		type seen struct {
			code           int
			location, body string
			reached        bool
			pattern        string
		}
		run := func(h func(http.Handler) http.Handler) seen {
			req, err := http.ReadRequest(bufio.NewReader(strings.NewReader(line + "\r\nHost: x\r\n\r\n")))
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			var s seen
			w := httptest.NewRecorder()
			h(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				s.reached, s.pattern = true, pattern(r)
				io.WriteString(w, "reached "+r.URL.Path)
			})).ServeHTTP(w, req)
			s.code, s.location, s.body = w.Code, w.Header().Get("Location"), w.Body.String()
			return s
		}
		want := run(func(h http.Handler) http.Handler {
			mux := http.NewServeMux()
			mux.Handle("/", h)
			return mux
		})
		if got := run(root); got != want {
			t.Errorf("%s: root %+v, ServeMux %+v", line, got, want)
		}
	}
}

// TestFrameAddsOneAllocation: the framework adds one allocation to a request
// without a body (its panic-tracking writer) and two to one with a body (that
// writer with the body bound, and http.MaxBytesReader's), whatever the
// function reads; more is a regression of make bench-frameworks.
func TestFrameAddsOneAllocation(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Write(b)
	}
	for _, tt := range []struct {
		method, body string
		fn           http.HandlerFunc
		added        float64
	}{
		{http.MethodGet, "", hello, 1},
		{http.MethodPost, `{"hello":"world"}`, echo, 2},
	} {
		bare := allocs(t, tt.fn, tt.method, tt.body)
		kiln := allocs(t, root(HTTPHandler(tt.fn)), tt.method, tt.body)
		if kiln-bare > tt.added {
			t.Errorf("%s: the framework adds %.0f allocations per request (%.0f against %.0f bare), want at most %.0f", tt.method, kiln-bare, kiln, bare, tt.added)
		}
		// The compatibility layers serve through AllHandler (Google's) and
		// Routed at "/" (OpenFunction's): no more than native.
		all, err := AllHandler([]functions.Registered{{Name: "f", HTTP: tt.fn}}, nil)
		if err != nil {
			t.Fatal(err)
		}
		slash, _ := routes.Compile("/")
		for name, h := range map[string]http.Handler{
			"AllHandler":  all,
			"Routed at /": Routed(functions.Registered{Name: "f", HTTP: tt.fn, Path: slash}, HTTPHandler(tt.fn)),
		} {
			if compat := allocs(t, root(h), tt.method, tt.body); compat > kiln {
				t.Errorf("%s through %s: %.0f allocations per request, native %.0f", tt.method, name, compat, kiln)
			}
		}
	}
}

// TestFunctionsWithABody: with a body, a panic is a 500, or the 413 when the
// body went over the limit first; a function that ignores the read error and
// writes nothing gets the 413 too.
func TestFunctionsWithABody(t *testing.T) {
	t.Setenv(server.MaxBodyEnv, "8")
	h := HTTPHandler(func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		if r.URL.Query().Get("panic") != "" {
			panic("boom")
		}
	})
	s := start(t, h, nil)
	for _, tt := range []struct {
		query, body string
		code        int
	}{
		{"panic=1", "small", 500},
		{"panic=1", "far over the limit", 413},
		{"", "small", 200},
		{"", "far over the limit", 413},
	} {
		chunked := struct{ io.Reader }{strings.NewReader(tt.body)} // no length: the limit is hit while reading
		if got := post(t, s.url+"/?"+tt.query, "text/plain", chunked, nil); got.code != tt.code {
			t.Errorf("%s %q: %+v, want %d", tt.query, tt.body, got, tt.code)
		}
	}
}
