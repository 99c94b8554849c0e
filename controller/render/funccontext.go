package render

import (
	"encoding/json"
	"strconv"
	"strings"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// FuncContext is the FUNC_CONTEXT JSON the functions frameworks read
// (OpenFunction's v1beta1 shape, which its Go framework parses).
type FuncContext struct {
	Name           string                  `json:"name"`
	Version        string                  `json:"version"`
	Runtime        string                  `json:"runtime"`
	Port           string                  `json:"port"`
	Inputs         map[string]*FuncIO      `json:"inputs,omitempty"`
	Outputs        map[string]*FuncIO      `json:"outputs,omitempty"`
	States         map[string]*FuncIO      `json:"states,omitempty"`
	PrePlugins     []string                `json:"prePlugins,omitempty"`
	PostPlugins    []string                `json:"postPlugins,omitempty"`
	PluginsTracing *v1alpha1.TracingConfig `json:"pluginsTracing,omitempty"`
}

// FuncIO is one input, output or state store of FUNC_CONTEXT.
type FuncIO struct {
	URI           string            `json:"uri,omitempty"`
	ComponentName string            `json:"componentName"`
	ComponentType string            `json:"componentType"`
	Metadata      map[string]string `json:"metadata,omitempty"`
	Operation     string            `json:"operation,omitempty"`
}

// ComponentName is the Dapr Component the controller creates for key of
// f's bindings, pubsub or states; components the Function does not declare
// are used by their own name.
func ComponentName(f *v1alpha1.Function, key string) string {
	if declared(f, key) {
		return f.Name + "-" + key
	}
	return key
}

func declared(f *v1alpha1.Function, key string) bool {
	v := f.Spec.Serving
	if v == nil {
		return false
	}
	if v.Bindings[key] != nil || v.Pubsub[key] != nil {
		return true
	}
	st, ok := v.States[key]
	return ok && st != nil && st.Spec != nil
}

// BuildFuncContext is f's FUNC_CONTEXT.
func BuildFuncContext(f *v1alpha1.Function) FuncContext {
	v := f.Spec.Serving
	c := FuncContext{Name: f.Name, Version: *f.Spec.Version, Runtime: "Knative", Port: strconv.Itoa(int(v1alpha1.DefaultPort))}
	if f.IsAsync() {
		c.Runtime = "Async"
	} else if v.Triggers.HTTP.Port != nil {
		c.Port = strconv.Itoa(int(*v.Triggers.HTTP.Port))
	}
	io := func(name, declaredType, topic string) *FuncIO {
		typ := v.ComponentType(name, declaredType)
		uri := name
		if strings.HasPrefix(typ, "pubsub.") {
			uri = topic
		}
		return &FuncIO{URI: uri, ComponentName: ComponentName(f, name), ComponentType: typ}
	}
	for _, t := range v.Triggers.Dapr {
		if c.Inputs == nil {
			c.Inputs = map[string]*FuncIO{}
		}
		c.Inputs[t.Name] = io(t.Name, t.Type, t.Topic)
	}
	// triggers.inputs are extra data sources (Dapr state stores): they are
	// read by the function, not events that start it, so they go with states.
	for _, in := range v.Triggers.Inputs {
		if c.States == nil {
			c.States = map[string]*FuncIO{}
		}
		c.States[in.Dapr.Name] = &FuncIO{ComponentName: ComponentName(f, in.Dapr.Name), ComponentType: v.ComponentType(in.Dapr.Name, in.Dapr.Type)}
	}
	for _, o := range v.Outputs {
		if c.Outputs == nil {
			c.Outputs = map[string]*FuncIO{}
		}
		out := io(o.Dapr.Name, o.Dapr.Type, o.Dapr.Topic)
		out.Metadata, out.Operation = o.Dapr.Metadata, o.Dapr.Operation
		c.Outputs[o.Dapr.Name] = out
	}
	for name, st := range v.States {
		if c.States == nil {
			c.States = map[string]*FuncIO{}
		}
		typ := ""
		if st != nil && st.Spec != nil {
			typ = st.Spec.Type
		}
		c.States[name] = &FuncIO{ComponentName: ComponentName(f, name), ComponentType: typ}
	}
	if h := v.Hooks; h != nil {
		c.PrePlugins, c.PostPlugins = h.Pre, h.Post
	}
	if v.Tracing != nil && v.Tracing.Enabled {
		c.PluginsTracing = v.Tracing
	}
	return c
}

// JSON is the context as the FUNC_CONTEXT value (keys sorted: stable).
func (c FuncContext) JSON() string {
	b, _ := json.Marshal(c)
	return string(b)
}
