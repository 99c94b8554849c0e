package framework

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"kiln.dev/functions-framework-go/funcframework"
	kfunctions "kiln.dev/functions-framework-go/functions"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/plugin"
)

var (
	logMu     sync.Mutex
	pluginLog []string
)

func record(format string, args ...interface{}) {
	logMu.Lock()
	defer logMu.Unlock()
	pluginLog = append(pluginLog, fmt.Sprintf(format, args...))
}

// counter counts its hooks; summer reads counter's count in its post hook,
// as OpenFunction's plugin-example reads plugin-custom's state.
type counter struct{ n int }

func (c *counter) Name() string        { return "plugin-custom" }
func (c *counter) Version() string     { return "v1" }
func (c *counter) Init() plugin.Plugin { return &counter{} }
func (c *counter) ExecPreHook(ctx ofctx.RuntimeContext, _ map[string]plugin.Plugin) error {
	c.n++
	record("pre %s", ctx.GetName())
	return nil
}
func (c *counter) ExecPostHook(ofctx.RuntimeContext, map[string]plugin.Plugin) error {
	c.n++
	return nil
}
func (c *counter) Get(f string) (interface{}, bool) { return c.n, f == "n" }

type summer struct{}

func (summer) Name() string        { return "plugin-sum" }
func (summer) Version() string     { return "v1" }
func (summer) Init() plugin.Plugin { return summer{} }
func (summer) ExecPreHook(ofctx.RuntimeContext, map[string]plugin.Plugin) error {
	return fmt.Errorf("logged, not fatal")
}
func (summer) ExecPostHook(ctx ofctx.RuntimeContext, all map[string]plugin.Plugin) error {
	n, _ := all["plugin-custom"].Get("n")
	record("post sum=%v code=%d", n, ctx.GetOut().GetCode())
	return nil
}
func (summer) Get(string) (interface{}, bool) { return nil, false }

// init registers as a main package would: NewFramework, RegisterPlugins,
// Register (under FUNC_CONTEXT's name, else "function").
func init() {
	fwk, err := NewFramework()
	if err != nil {
		panic(err)
	}
	fwk.RegisterPlugins(map[string]plugin.Plugin{"plugin-custom": &counter{}, "plugin-sum": summer{}})
	err = fwk.Register(context.Background(), func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		return ctx.ReturnOnSuccess().WithData(append([]byte("echo "), in...)), nil
	})
	if err != nil {
		panic(err)
	}
	if fwk.Register(context.Background(), func(string) {}) == nil {
		panic("Register took a function of no supported signature")
	}
}

func TestPluginsRunAsKilnHooks(t *testing.T) {
	logMu.Lock()
	pluginLog = nil
	logMu.Unlock()
	t.Setenv("FUNC_CONTEXT", `{"name":"echo","version":"v1","runtime":"Knative","port":"8080",`+
		`"prePlugins":["plugin-custom","plugin-sum"],"postPlugins":["plugin-sum","plugin-custom"]}`)
	r, ok := kfunctions.Lookup("function")
	if !ok || r.Open == nil || r.Path == nil || r.Path.String() != "/" {
		t.Fatalf("framework.Register registered %+v", r)
	}
	rt, err := funcframework.NewOpenRuntime(r.Name, r.Open)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(rt.HTTPHandler())
	defer s.Close()
	resp, err := http.Post(s.URL, "text/plain", strings.NewReader("hi"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "echo hi" {
		t.Fatalf("%d %q", resp.StatusCode, b)
	}
	logMu.Lock()
	defer logMu.Unlock()
	if got := strings.Join(pluginLog, "; "); got != "pre echo; post sum=1 code=200" {
		t.Fatalf("plugins ran: %s", got)
	}
}
