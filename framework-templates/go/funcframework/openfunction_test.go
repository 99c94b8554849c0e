//go:build go1.24

package funcframework

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/hooks"
	"kiln.dev/functions-framework-go/ofctx"
)

var (
	hookLog   []string
	hookLogMu sync.Mutex
)

type recordHook struct{ name string }

func (h recordHook) PreHook(c ofctx.RuntimeContext) error {
	hookLogMu.Lock()
	defer hookLogMu.Unlock()
	hookLog = append(hookLog, "pre "+h.name)
	if h.name == "deny" && c.GetSyncRequest().Request.URL.Query().Get("deny") != "" {
		return errors.New("not allowed")
	}
	return nil
}

func (h recordHook) PostHook(c ofctx.RuntimeContext) error {
	hookLogMu.Lock()
	defer hookLogMu.Unlock()
	hookLog = append(hookLog, fmt.Sprintf("post %s code=%d", h.name, c.GetOut().GetCode()))
	return nil
}

func init() {
	for _, n := range []string{"a", "b", "deny"} {
		n := n
		hooks.Register(n, func() hooks.Hook { return recordHook{n} })
	}
}

// statusFn answers with the code asked for in ?code=, panics on ?panic=1,
// fails on ?err=1.
func statusFn(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	q := ctx.GetSyncRequest().Request.URL.Query()
	switch {
	case q.Get("panic") != "":
		panic("boom")
	case q.Get("err") != "":
		return nil, errors.New("it went wrong")
	}
	var code int
	fmt.Sscan(q.Get("code"), &code)
	return (&ofctx.FunctionOut{}).WithCode(code).WithData(append([]byte("got "), in...)), nil
}

func TestOpenFunctionOverHTTP(t *testing.T) {
	hookLogMu.Lock()
	hookLog = nil // this test's hooks only, whatever ran before
	hookLogMu.Unlock()
	t.Setenv("FUNC_CONTEXT", `{"name":"status","runtime":"Knative","prePlugins":["a","b","deny"],"postPlugins":["b","a"]}`)
	rt, err := NewOpenRuntime("status", statusFn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.HTTPHandler())
	defer srv.Close()
	call := func(query, body string) (int, string) {
		resp, err := http.Post(srv.URL+"/?"+query, "text/plain", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tt := range []struct {
		query, body string
		code        int
		resp        string
	}{
		{"code=200", "x", 200, "got x"},
		{"code=201", "y", 201, "got y"},
		{"code=404", "", 404, "got "},
		{"code=503", "z", 503, "got z"},
		{"", "zero", 200, "got zero"},
		{"err=1", "", 500, "it went wrong"},
		{"panic=1", "", 500, "the function panicked: boom"},
		{"deny=1", "", 500, "pre-hook deny: not allowed"},
	} {
		if code, resp := call(tt.query, tt.body); code != tt.code || resp != tt.resp {
			t.Errorf("?%s: %d %q, want %d %q", tt.query, code, resp, tt.code, tt.resp)
		}
	}
	hookLogMu.Lock()
	defer hookLogMu.Unlock()
	want := strings.Join([]string{
		"pre a,pre b,pre deny,post b code=200,post a code=200", "pre a,pre b,pre deny,post b code=201,post a code=201",
		"pre a,pre b,pre deny,post b code=404,post a code=404", "pre a,pre b,pre deny,post b code=503,post a code=503",
		"pre a,pre b,pre deny,post b code=200,post a code=200", "pre a,pre b,pre deny,post b code=500,post a code=500",
		"pre a,pre b,pre deny,post b code=500,post a code=500", "pre a,pre b,pre deny"}, ",")
	if got := strings.Join(hookLog, ","); got != want {
		t.Fatalf("hooks ran %s, want %s", got, want)
	}
}

func TestUnknownHookIsAStartError(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", `{"name":"f","runtime":"Knative","postPlugins":["nope"]}`)
	_, err := NewOpenRuntime("f", statusFn)
	if err == nil || !strings.Contains(err.Error(), `FUNC_CONTEXT postPlugins[0]: no hook "nope" is registered`) {
		t.Fatalf("err = %v", err)
	}
}

func TestTracingExportsLinkedSpans(t *testing.T) {
	var mu sync.Mutex
	var spans []map[string]any
	otlp := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			ResourceSpans []struct {
				Resource   struct{ Attributes []map[string]any }
				ScopeSpans []struct{ Spans []map[string]any }
			}
		}
		if r.URL.Path != "/v1/traces" || json.NewDecoder(r.Body).Decode(&req) != nil {
			http.Error(w, "bad export", 400)
			return
		}
		mu.Lock()
		for _, rs := range req.ResourceSpans {
			for _, ss := range rs.ScopeSpans {
				spans = append(spans, ss.Spans...)
			}
		}
		mu.Unlock()
	}))
	defer otlp.Close()
	t.Setenv("FUNC_CONTEXT", "")
	t.Setenv("OTEL_EXPORTER_OTLP_ENDPOINT", otlp.URL)
	t.Setenv("OTEL_BSP_SCHEDULE_DELAY", "50")
	rt, err := NewOpenRuntime("traced", statusFn)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(rt.HTTPHandler())
	defer srv.Close()
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/?code=502", nil)
	req.Header.Set("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	deadline := time.Now().Add(5 * time.Second)
	for {
		mu.Lock()
		n := len(spans)
		mu.Unlock()
		if n > 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(spans) != 1 {
		t.Fatalf("want 1 span, got %v", spans)
	}
	s := spans[0]
	if s["traceId"] != "4bf92f3577b34da6a3ce929d0e0e4736" || s["parentSpanId"] != "00f067aa0ba902b7" || s["name"] != "traced" ||
		s["kind"] != float64(2) || s["status"].(map[string]any)["code"] != float64(2) {
		t.Fatalf("span %v: want the caller's trace, server kind, error status for 502", s)
	}
}
