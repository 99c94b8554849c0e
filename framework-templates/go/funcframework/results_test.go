//go:build go1.24

package funcframework

import (
	"bytes"
	"errors"
	"io"
	"log"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"

	"kiln.dev/functions-framework-go/hooks"
	"kiln.dev/functions-framework-go/ofctx"
)

var (
	valuesLog   []string
	valuesLogMu sync.Mutex
)

// valuesHook keeps state from its pre-hook to its post-hook in Values();
// "failpost" fails its post-hook.
type valuesHook struct{ name string }

func (h valuesHook) PreHook(c ofctx.RuntimeContext) error {
	c.Values()["start"] = "set by pre"
	h.log("pre " + h.name)
	return nil
}

func (h valuesHook) PostHook(c ofctx.RuntimeContext) error {
	h.log("post " + h.name + " start=" + func() string { s, _ := c.Values()["start"].(string); return s }())
	if h.name == "failpost" {
		return errors.New("post failed")
	}
	return nil
}

func (valuesHook) log(s string) {
	valuesLogMu.Lock()
	defer valuesLogMu.Unlock()
	valuesLog = append(valuesLog, s)
}

func takeValuesLog() string {
	valuesLogMu.Lock()
	defer valuesLogMu.Unlock()
	s := strings.Join(valuesLog, ",")
	valuesLog = nil
	return s
}

func init() {
	hooks.Register("values", func() hooks.Hook { return valuesHook{"values"} })
	hooks.Register("failpost", func() hooks.Hook { return valuesHook{"failpost"} })
}

// TestHooksRunWhateverTheMix: pre-hooks alone, post-hooks alone, and both,
// with one instance per invocation carrying Values() from pre to post; a
// failing post-hook is logged and does not change the answer.
func TestHooksRunWhateverTheMix(t *testing.T) {
	var logged bytes.Buffer
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	for _, tt := range []struct{ ctx, want, logged string }{
		{`"prePlugins":["values"]`, "pre values", ""},
		{`"postPlugins":["values"]`, "post values start=", ""},
		{`"prePlugins":["values"],"postPlugins":["values"]`, "pre values,post values start=set by pre", ""},
		{`"postPlugins":["failpost"]`, "post failpost start=", "post-hook failpost of r: post failed"},
		{`"outputs":{}`, "", ""},
	} {
		t.Setenv("FUNC_CONTEXT", `{"name":"r","runtime":"Knative",`+tt.ctx+`}`)
		rt, err := NewOpenRuntime("r", statusFn)
		if err != nil {
			t.Fatal(err)
		}
		if rt.Dapr != nil {
			t.Fatalf("%s: a Dapr client without outputs", tt.ctx)
		}
		takeValuesLog()
		logged.Reset()
		if r := post(t, start(t, rt.HTTPHandler(), nil).url+"/?code=201", "text/plain", strings.NewReader("x"), nil); r.code != 201 || r.body != "got x" {
			t.Fatalf("%s: %+v", tt.ctx, r)
		}
		if got := takeValuesLog(); got != tt.want {
			t.Errorf("%s: hooks ran %q, want %q", tt.ctx, got, tt.want)
		}
		if got := logged.String(); (tt.logged == "") != !strings.Contains(got, "post-hook") || !strings.Contains(got, tt.logged) {
			t.Errorf("%s: logged %q, want %q", tt.ctx, got, tt.logged)
		}
	}
}

// TestOutsBecomeResponses: how an Out and an error turn into the answer.
func TestOutsBecomeResponses(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", "")
	var fn ofctx.Function
	rt, err := NewOpenRuntime("r", func(ctx ofctx.Context, in []byte) (ofctx.Out, error) { return fn(ctx, in) })
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, rt.HTTPHandler(), nil)
	for _, tt := range []struct {
		name              string
		fn                ofctx.Function
		code              int
		contentType, body string
	}{
		{"Out.Error without an error", func(ofctx.Context, []byte) (ofctx.Out, error) {
			return &ofctx.FunctionOut{Error: errors.New("inner")}, nil
		}, 500, "text/plain; charset=utf-8", "inner"},
		{"the returned error wins over Out.Error", func(ofctx.Context, []byte) (ofctx.Out, error) {
			return &ofctx.FunctionOut{Error: errors.New("inner")}, errors.New("outer")
		}, 500, "text/plain; charset=utf-8", "outer"},
		{"Out data kept beside an error", func(ofctx.Context, []byte) (ofctx.Out, error) {
			return &ofctx.FunctionOut{Data: []byte("partial")}, errors.New("e")
		}, 500, "text/plain; charset=utf-8", "partial"},
		{"a code beside an error is kept", func(ofctx.Context, []byte) (ofctx.Out, error) {
			return &ofctx.FunctionOut{Code: 503}, errors.New("busy")
		}, 503, "text/plain; charset=utf-8", "busy"},
		{"nil Out, no error", func(ofctx.Context, []byte) (ofctx.Out, error) { return nil, nil }, 200, "", ""},
		{"empty Out", func(ofctx.Context, []byte) (ofctx.Out, error) { return &ofctx.FunctionOut{}, nil }, 200, "", ""},
		{"Content-Type from metadata", func(ofctx.Context, []byte) (ofctx.Out, error) {
			return &ofctx.FunctionOut{Data: []byte("{}"), Metadata: map[string]string{"http-header-Content-Type": "application/json"}}, nil
		}, 200, "application/json", "{}"},
		{"the function's own response", func(ctx ofctx.Context, _ []byte) (ofctx.Out, error) {
			io.WriteString(ctx.GetSyncRequest().ResponseWriter, "mine")
			return &ofctx.FunctionOut{Code: 500, Data: []byte(" and more")}, nil
		}, 200, "text/plain; charset=utf-8", "mine"},
	} {
		fn = tt.fn
		req, _ := http.NewRequest(http.MethodPost, s.url, nil)
		resp, err := client(t).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || resp.Header.Get("Content-Type") != tt.contentType || string(b) != tt.body {
			t.Errorf("%s: %d %q %q, want %d %q %q", tt.name, resp.StatusCode, resp.Header.Get("Content-Type"), b, tt.code, tt.contentType, tt.body)
		}
	}
}
