package funccontext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
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

// v1beta1 is the shape Kiln's controller and OpenFunction's v1beta1 write.
type v1beta1 struct {
	Name           string           `json:"name"`
	Version        string           `json:"version"`
	Runtime        string           `json:"runtime"`
	Port           string           `json:"port"`
	Inputs         map[string]*ioV1 `json:"inputs"`
	Outputs        map[string]*ioV1 `json:"outputs"`
	States         map[string]*ioV1 `json:"states"`
	PrePlugins     []string         `json:"prePlugins"`
	PostPlugins    []string         `json:"postPlugins"`
	PluginsTracing *Tracing         `json:"pluginsTracing"`
	HTTPPattern    string           `json:"httpPattern"`
}

type ioV1 struct {
	URI           string            `json:"uri"`
	ComponentName string            `json:"componentName"`
	ComponentType string            `json:"componentType"`
	Metadata      map[string]string `json:"metadata"`
	Operation     string            `json:"operation"`
}

// v1beta2 is OpenFunction's FUNC_CONTEXT_V1BETA2 shape.
type v1beta2 struct {
	Name     string `json:"name"`
	Version  string `json:"version"`
	Triggers *struct {
		HTTP *struct {
			Port *int `json:"port"`
		} `json:"http"`
		Dapr []*struct {
			Name  string `json:"name"`
			Type  string `json:"type"`
			Topic string `json:"topic"`
		} `json:"dapr"`
	} `json:"triggers"`
	Inputs    map[string]*ioV2 `json:"inputs"`
	Outputs   map[string]*ioV2 `json:"outputs"`
	States    map[string]*ioV2 `json:"states"`
	PreHooks  []string         `json:"preHooks"`
	PostHooks []string         `json:"postHooks"`
	Tracing   *Tracing         `json:"tracing"`
}

type ioV2 struct {
	ComponentName string            `json:"componentName"`
	ComponentType string            `json:"componentType"`
	Topic         string            `json:"topic"`
	Metadata      map[string]string `json:"metadata"`
	Operation     string            `json:"operation"`
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

// Parse reads either shape and checks it.
func Parse(s string) (*Context, error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &keys); err != nil {
		return nil, jsonError(s, err)
	}
	var c *Context
	var err error
	if _, ok := keys["triggers"]; ok || keys["preHooks"] != nil || keys["postHooks"] != nil || keys["tracing"] != nil {
		c, err = parseV1beta2(s)
	} else {
		c, err = parseV1beta1(s)
	}
	if err != nil {
		return nil, err
	}
	return c, c.check()
}

func decode(s string, v any) error {
	d := json.NewDecoder(strings.NewReader(s))
	if err := d.Decode(v); err != nil {
		return jsonError(s, err)
	}
	return nil
}

func parseV1beta1(s string) (*Context, error) {
	var v v1beta1
	if err := decode(s, &v); err != nil {
		return nil, err
	}
	c := &Context{Name: v.Name, Version: v.Version, Runtime: v.Runtime, Port: 8080,
		PreHooks: v.PrePlugins, PostHooks: v.PostPlugins, Tracing: v.PluginsTracing}
	if v.Port != "" {
		p, err := strconv.Atoi(v.Port)
		if err != nil || p < 1 || p > 65535 {
			return nil, fmt.Errorf("%s: port: %q is not a port number (1-65535)", Env, v.Port)
		}
		c.Port = p
	}
	convert := func(field string, in map[string]*ioV1) (map[string]IO, error) {
		out := map[string]IO{}
		for _, k := range sortedKeys(in) {
			x := in[k]
			if x == nil {
				return nil, fmt.Errorf("%s: %s.%s: null; give componentName and componentType", Env, field, k)
			}
			io := IO{ComponentName: x.ComponentName, ComponentType: x.ComponentType, Operation: x.Operation, Metadata: x.Metadata}
			if io.IsPubSub() {
				io.Topic = x.URI
			}
			out[k] = io
		}
		return out, nil
	}
	var err error
	if c.Inputs, err = convert("inputs", v.Inputs); err != nil {
		return nil, err
	}
	if c.Outputs, err = convert("outputs", v.Outputs); err != nil {
		return nil, err
	}
	if c.States, err = convert("states", v.States); err != nil {
		return nil, err
	}
	return c, nil
}

func parseV1beta2(s string) (*Context, error) {
	var v v1beta2
	if err := decode(s, &v); err != nil {
		return nil, err
	}
	c := &Context{Name: v.Name, Version: v.Version, Runtime: Async, Port: 8080, PreHooks: v.PreHooks, PostHooks: v.PostHooks, Tracing: v.Tracing,
		Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}
	if t := v.Triggers; t != nil {
		if t.HTTP != nil {
			c.Runtime = Knative
			if t.HTTP.Port != nil {
				c.Port = *t.HTTP.Port
			}
		}
		for i, d := range t.Dapr {
			if d == nil || d.Name == "" {
				return nil, fmt.Errorf("%s: triggers.dapr[%d].name: empty; name the Dapr component that triggers the function", Env, i)
			}
			c.Inputs[d.Name] = IO{ComponentName: d.Name, ComponentType: d.Type, Topic: d.Topic}
		}
	}
	for field, m := range map[string]map[string]*ioV2{"inputs": v.Inputs, "outputs": v.Outputs, "states": v.States} {
		dst := map[string]map[string]IO{"inputs": c.Inputs, "outputs": c.Outputs, "states": c.States}[field]
		for _, k := range sortedKeys(m) {
			x := m[k]
			if x == nil {
				return nil, fmt.Errorf("%s: %s.%s: null; give componentName and componentType", Env, field, k)
			}
			dst[k] = IO{ComponentName: x.ComponentName, ComponentType: x.ComponentType, Topic: x.Topic, Operation: x.Operation, Metadata: x.Metadata}
		}
	}
	return c, nil
}

// check validates a parsed context, naming the field at fault.
func (c *Context) check() error {
	switch strings.ToLower(c.Runtime) {
	case "knative":
		c.Runtime = Knative
	case "async", "openfuncasync":
		c.Runtime = Async
	case "":
		return fmt.Errorf("%s: runtime: missing; want Knative (HTTP) or Async (Dapr inputs)", Env)
	default:
		return fmt.Errorf("%s: runtime: %q; want Knative (HTTP) or Async (Dapr inputs)", Env, c.Runtime)
	}
	if c.Name == "" {
		return fmt.Errorf("%s: name: missing; the function's name", Env)
	}
	if c.Port < 1 || c.Port > 65535 {
		return fmt.Errorf("%s: port: %d is not a port number (1-65535)", Env, c.Port)
	}
	for _, set := range []struct {
		field string
		m     map[string]IO
		kinds []string
	}{{"inputs", c.Inputs, []string{"bindings.", "pubsub."}}, {"outputs", c.Outputs, []string{"bindings.", "pubsub."}}, {"states", c.States, []string{"state."}}} {
		for _, k := range sortedKeys(set.m) {
			io := set.m[k]
			if io.ComponentName == "" {
				return fmt.Errorf("%s: %s.%s.componentName: missing; the Dapr component's name", Env, set.field, k)
			}
			ok := false
			for _, prefix := range set.kinds {
				ok = ok || strings.HasPrefix(io.ComponentType, prefix)
			}
			if !ok && !(set.field == "states" && io.ComponentType == "") {
				return fmt.Errorf("%s: %s.%s.componentType: %q; want a type starting with %s", Env, set.field, k, io.ComponentType, strings.Join(set.kinds, " or "))
			}
			if io.IsPubSub() && io.Topic == "" {
				where := "uri"
				if set.field == "inputs" {
					where = "uri (v1beta1) or topic (v1beta2)"
				}
				return fmt.Errorf("%s: %s.%s: a pub/sub %s needs its topic in %s", Env, set.field, k, strings.TrimSuffix(set.field, "s"), where)
			}
		}
	}
	if c.Runtime == Async && len(c.Inputs) == 0 {
		return fmt.Errorf("%s: inputs: empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)", Env)
	}
	return nil
}

// jsonError names where the JSON is wrong.
func jsonError(s string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		line := 1 + bytes.Count([]byte(s[:min(int(syn.Offset), len(s))]), []byte("\n"))
		return fmt.Errorf("%s is not valid JSON (line %d, byte %d): %v", Env, line, syn.Offset, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(top level)"
		}
		return fmt.Errorf("%s: %s: want %s, got a JSON %s", Env, field, typ.Type, typ.Value)
	default:
		return fmt.Errorf("%s: %v", Env, err)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
