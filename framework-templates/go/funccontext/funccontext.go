package funccontext

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Env is the variable the context comes in.
const Env = "FUNC_CONTEXT"

// Runtimes.
const (
	Knative = "Knative" // served over HTTP
	Async   = "Async"   // driven by Dapr inputs
)

// Context is a parsed FUNC_CONTEXT.
type Context struct {
	Name, Version string
	// Runtime is Knative or Async.
	Runtime string
	Port    int
	// Inputs, Outputs and States by the name the function uses.
	Inputs, Outputs, States map[string]IO
	PreHooks, PostHooks     []string
	Tracing                 *Tracing
}

// IO is one Dapr input, output or state store.
type IO struct {
	// ComponentName is the Dapr component; ComponentType its type
	// (bindings.*, pubsub.*, state.*).
	ComponentName, ComponentType string
	// Topic of a pub/sub input or output.
	Topic string
	// Operation of a binding output (create, post, ...).
	Operation string
	Metadata  map[string]string
}

// IsPubSub says whether the component is a pub/sub one.
func (io IO) IsPubSub() bool { return strings.HasPrefix(io.ComponentType, "pubsub.") }

// IsBinding says whether the component is a binding.
func (io IO) IsBinding() bool { return strings.HasPrefix(io.ComponentType, "bindings.") }

// Tracing is the tracing configuration.
type Tracing struct {
	Enabled  bool              `json:"enabled"`
	Provider *Provider         `json:"provider,omitempty"`
	Tags     map[string]string `json:"tags,omitempty"`
	Baggage  map[string]string `json:"baggage,omitempty"`
}

// Provider is the tracing backend.
type Provider struct {
	Name      string    `json:"name"`
	OapServer string    `json:"oapServer,omitempty"`
	Exporter  *Exporter `json:"exporter,omitempty"`
}

// Exporter is where spans go.
type Exporter struct {
	Name        string `json:"name"`
	Endpoint    string `json:"endpoint"`
	Headers     string `json:"headers,omitempty"`
	Compression string `json:"compression,omitempty"`
	Timeout     string `json:"timeout,omitempty"`
	Protocol    string `json:"protocol,omitempty"`
}

// FromEnv parses $FUNC_CONTEXT.
func FromEnv() (*Context, error) {
	s := os.Getenv(Env)
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%s is not set: an async function needs it (the Kiln controller sets it; locally: "+
			`%s='{"name":"fn","version":"v1","runtime":"Async","port":"8080","inputs":{...},"outputs":{...}}')`, Env, Env)
	}
	return Parse(s)
}

// Parse reads either shape and checks it. The error lists every problem, one
// per line, each naming its field ("FUNC_CONTEXT: inputs.in.componentType: ...").
func Parse(s string) (*Context, error) {
	var top json.RawMessage
	if err := json.Unmarshal([]byte(s), &top); err != nil {
		return nil, syntaxError(s, err)
	}
	if kind(top) != "object" {
		return nil, fmt.Errorf("%s: want a JSON object, got a JSON %s", Env, kind(top))
	}
	errs := &problems{at: map[string]bool{}}
	root, _ := fields{errs: errs}.objectAt("", top)
	p := parseV1beta1
	if isV1beta2(root) {
		p = parseV1beta2
	}
	c := p(root)
	c.check()
	if err := errors.Join(errs.list...); err != nil {
		return nil, err
	}
	return c.Context, nil
}

// isV1beta2 tells the shapes apart: only v1beta2 has triggers, preHooks,
// postHooks or tracing.
func isV1beta2(root fields) bool {
	if _, ok := root.m["triggers"]; ok {
		return true
	}
	for _, k := range []string{"preHooks", "postHooks", "tracing"} {
		if _, ok := root.raw(k); ok {
			return true
		}
	}
	return false
}
