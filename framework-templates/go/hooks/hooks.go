package hooks

import (
	"fmt"
	"log"
	"time"

	reg "kiln.dev/functions-framework-go/internal/registry"
	"kiln.dev/functions-framework-go/ofctx"
)

// Hook runs around a function. A pre-hook error stops the invocation (the
// caller gets a 500 naming the hook); a post-hook error is logged.
type Hook interface {
	PreHook(ctx ofctx.RuntimeContext) error
	PostHook(ctx ofctx.RuntimeContext) error
}

// Factory makes the hook for one invocation.
type Factory func() Hook

var registry = reg.New[Factory]("hook")

// Register makes a hook available under name. Registering a name twice panics.
func Register(name string, f Factory) {
	if err := registry.Add(name, f); err != nil {
		panic("hooks: " + err.Error())
	}
}

// Names lists the registered hooks, sorted.
func Names() []string { return registry.Names() }

// Resolve looks up every name, or says which are unknown and what is registered.
func Resolve(field string, wanted []string) ([]Factory, error) {
	var out []Factory
	for i, n := range wanted {
		f, ok := registry.Get(n)
		if !ok {
			return nil, fmt.Errorf("FUNC_CONTEXT %s[%d]: no hook %q is registered (registered: %v); register it with hooks.Register in an init func", field, i, n, registry.Names())
		}
		out = append(out, f)
	}
	return out, nil
}

func init() {
	Register("log", func() Hook { return &logHook{} })
}

// logHook is the built-in "log" hook: one line per invocation with its input,
// result code and duration.
type logHook struct{ start time.Time }

func (h *logHook) PreHook(ofctx.RuntimeContext) error {
	h.start = time.Now()
	return nil
}

func (h *logHook) PostHook(ctx ofctx.RuntimeContext) error {
	code := 0
	if out := ctx.GetOut(); out != nil {
		code = out.GetCode()
	}
	input := ctx.GetInputName()
	if input == "" {
		input = "http"
	}
	log.Printf("hook log: function=%s input=%s code=%d error=%v took=%s", ctx.GetName(), input, code, ctx.GetError(), time.Since(h.start).Round(time.Microsecond))
	return nil
}
