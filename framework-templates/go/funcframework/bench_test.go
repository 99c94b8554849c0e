package funcframework

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/internal/server"
)

// The framework's cost per request, against the bare net/http handler in the
// same run (issue 12 §2: Kiln's hello world at least as fast as Google's and
// OpenFunction's frameworks, which add little to net/http):
//
//	GOWORK=off go test -run '^$' -bench . ./funcframework/
//
// Each benchmark runs the bare handler and the framework's in turn and prints
// their ratio of ns/op and the allocations the framework adds.

// hello is the benchmarks' function, the hello world of make bench-frameworks.
func hello(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}

// rooted is what the server runs for fn: the framework's root handler over
// HTTPHandler, as Serve wires it.
func rooted(fn http.HandlerFunc) http.Handler { return root(HTTPHandler(fn)) }

// discard is a ResponseWriter that keeps nothing, reset between requests so
// the benchmark measures the handlers, not a recorder.
type discard struct {
	h    http.Header
	code int
}

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(code int)        { d.code = code }
func (d *discard) reset() {
	clear(d.h)
	d.code = 0
}

// perOp is one sub-benchmark's result.
type perOp struct {
	ns     float64
	allocs float64
}

// pair runs bare and kiln as sub-benchmarks of b, each measured by run, and
// logs kiln's ns/op and allocs/op against bare's.
func pair(b *testing.B, bare, kiln http.Handler, run func(*testing.B, http.Handler, *perOp)) {
	var rb, rk perOp
	b.Run("bare", func(b *testing.B) { run(b, bare, &rb) })
	b.Run("kiln", func(b *testing.B) { run(b, kiln, &rk) })
	if rb.ns > 0 && rk.ns > 0 {
		fmt.Printf("%s: kiln/bare %.2fx ns/op (%.0f against %.0f), %+.0f allocs/op\n", b.Name(), rk.ns/rb.ns, rk.ns, rb.ns, rk.allocs-rb.allocs)
	}
}

// inProcess calls h directly with a request that is reused, as the server
// would hand it over: what the framework adds in CPU and garbage.
func inProcess(method, body string) func(*testing.B, http.Handler, *perOp) {
	return func(b *testing.B, h http.Handler, res *perOp) {
		w := &discard{h: http.Header{}}
		req, err := http.NewRequest(method, "http://x/?name=Kiln", nil)
		if err != nil {
			b.Fatal(err)
		}
		sr := strings.NewReader(body)
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			w.reset()
			r := *req // the server makes a new Request per request; a shallow copy is as much
			if body != "" {
				sr.Reset(body)
				r.Body, r.ContentLength = io.NopCloser(sr), int64(len(body))
			} else {
				r.Body = http.NoBody
			}
			h.ServeHTTP(w, &r)
		}
		b.StopTimer()
		res.ns = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		res.allocs = allocs(b, h, method, body)
	}
}

// allocs counts the allocations of one request through h.
func allocs(tb testing.TB, h http.Handler, method, body string) float64 {
	w := &discard{h: http.Header{}}
	req, err := http.NewRequest(method, "http://x/?name=Kiln", nil)
	if err != nil {
		tb.Fatal(err)
	}
	sr := strings.NewReader(body)
	return testing.AllocsPerRun(100, func() {
		w.reset()
		r := *req
		if body != "" {
			sr.Reset(body)
			r.Body, r.ContentLength = io.NopCloser(sr), int64(len(body))
		} else {
			r.Body = http.NoBody
		}
		h.ServeHTTP(w, &r)
	})
}

// BenchmarkHandlerGet: GET /, no body (make bench-frameworks' request).
func BenchmarkHandlerGet(b *testing.B) {
	pair(b, http.HandlerFunc(hello), rooted(hello), inProcess(http.MethodGet, ""))
}

// BenchmarkHandlerPost: POST / with a small body the function reads.
func BenchmarkHandlerPost(b *testing.B) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Write(body)
	}
	pair(b, http.HandlerFunc(echo), rooted(echo), inProcess(http.MethodPost, `{"hello":"world"}`))
}

// BenchmarkServeKeepAlive: GET / over one kept-alive loopback connection, the
// way queue-proxy and daprd call a function (wrk -c1): the bare handler on a
// bare http.Server against the framework on server.New with its limits.
func BenchmarkServeKeepAlive(b *testing.B) {
	run := func(b *testing.B, h http.Handler, res *perOp) {
		srv := &http.Server{Handler: h} // bare: http.ListenAndServe's server
		if _, isBare := h.(http.HandlerFunc); !isBare {
			srv = server.New(h, server.Defaults()) // Kiln's, with its limits and timeouts
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		go srv.Serve(ln)
		defer srv.Close()
		c, err := net.DialTimeout("tcp", ln.Addr().String(), 10*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		br := bufio.NewReader(c)
		get := []byte("GET /?name=Kiln HTTP/1.1\r\nHost: x\r\n\r\n")
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := c.Write(get); err != nil {
				b.Fatal(err)
			}
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("status %d", resp.StatusCode)
			}
		}
		b.StopTimer()
		res.ns = float64(b.Elapsed().Nanoseconds()) / float64(b.N)
		res.allocs = allocs(b, h, http.MethodGet, "")
	}
	pair(b, http.HandlerFunc(hello), rooted(hello), run)
}
