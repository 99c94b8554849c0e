package funccontext

import "fmt"

// parsed is a Context plus where each part was written, for check's errors.
type parsed struct {
	*Context
	root fields
	// portField and inputsField are the paths of the port and of the inputs
	// in this shape; runtimeField is empty when the shape derives the runtime.
	portField, inputsField, runtimeField string
	ios                                  []origin
}

// origin is where one input, output or state store was written.
type origin struct {
	set, key string // "inputs", "mqtt-in": where it landed in the Context
	path     string // "inputs.mqtt-in" or "triggers.dapr[0]"
	// nameField, typeField, topicField are its fields' names at path;
	// keyField is the field its key comes from ("" when it is a map key).
	nameField, typeField, topicField, keyField string
}

func (o origin) at(field string) string { return o.path + "." + field }

// add puts io into the Context's set under key, unless another entry already
// took that key (v1beta2: a trigger and an input of the same name).
func (p *parsed) add(o origin, io IO) {
	set := map[string]map[string]IO{"inputs": p.Inputs, "outputs": p.Outputs, "states": p.States}[o.set]
	for _, prev := range p.ios {
		if prev.set == o.set && prev.key == o.key {
			at := o.path
			if o.keyField != "" {
				at = o.at(o.keyField)
			}
			p.root.fail(at, "%q is also %s's name; inputs need distinct names (a second topic of one pub/sub component goes under inputs with a name of its own)", o.key, prev.path)
			return
		}
	}
	set[o.key] = io
	p.ios = append(p.ios, o)
}

// parseV1beta1 reads the shape Kiln's controller and OpenFunction v1beta1
// write: runtime, a string port, inputs/outputs/states maps whose pub/sub
// topic is in "uri", prePlugins/postPlugins, pluginsTracing.
func parseV1beta1(root fields) *parsed {
	p := &parsed{root: root, portField: "port", inputsField: "inputs", runtimeField: "runtime",
		Context: &Context{Name: root.str("name"), Version: root.str("version"), Runtime: root.str("runtime"),
			Port: root.port("port", 8080), PreHooks: root.strList("prePlugins"), PostHooks: root.strList("postPlugins"),
			Tracing: readTracing(root, "pluginsTracing"), Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}}
	for _, set := range []string{"inputs", "outputs", "states"} {
		for _, x := range root.objects(set) {
			o := origin{set: set, key: x.key, path: x.path, nameField: "componentName", typeField: "componentType", topicField: "uri"}
			io := IO{ComponentName: x.str("componentName"), ComponentType: x.str("componentType"), Operation: x.str("operation"), Metadata: x.strMap("metadata")}
			if uri := x.str("uri"); io.IsPubSub() {
				io.Topic = uri
			}
			p.add(o, io)
		}
	}
	return p
}

// parseV1beta2 reads OpenFunction's v1beta2 shape: triggers.http (an HTTP
// function on triggers.http.port) or triggers.dapr (an async one, each
// trigger an input named after its component), inputs/outputs/states maps
// with "topic", preHooks/postHooks, tracing.
func parseV1beta2(root fields) *parsed {
	p := &parsed{root: root, portField: "triggers.http.port", inputsField: "triggers.dapr",
		Context: &Context{Name: root.str("name"), Version: root.str("version"), Runtime: Async, Port: 8080,
			PreHooks: root.strList("preHooks"), PostHooks: root.strList("postHooks"), Tracing: readTracing(root, "tracing"),
			Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}}
	if t, ok := root.object("triggers"); ok {
		if h, ok := t.object("http"); ok {
			p.Runtime = Knative
			p.Port = h.port("port", 8080)
		}
		for i, d := range t.list("dapr") {
			if d.m == nil { // not an object: already reported
				continue
			}
			path := fmt.Sprintf("triggers.dapr[%d]", i)
			name := d.str("name")
			if name == "" {
				root.fail(path+".name", "missing; name the Dapr component that triggers the function")
				continue
			}
			p.add(origin{set: "inputs", key: name, path: path, nameField: "name", typeField: "type", topicField: "topic", keyField: "name"},
				IO{ComponentName: name, ComponentType: d.str("type"), Topic: d.str("topic")})
		}
	}
	for _, set := range []string{"inputs", "outputs", "states"} {
		for _, x := range root.objects(set) {
			o := origin{set: set, key: x.key, path: x.path, nameField: "componentName", typeField: "componentType", topicField: "topic"}
			p.add(o, IO{ComponentName: x.str("componentName"), ComponentType: x.str("componentType"), Topic: x.str("topic"),
				Operation: x.str("operation"), Metadata: x.strMap("metadata")})
		}
	}
	return p
}

// readTracing reads the tracing configuration at key (pluginsTracing in
// v1beta1, tracing in v1beta2).
func readTracing(root fields, key string) *Tracing {
	o, ok := root.object(key)
	if !ok {
		return nil
	}
	t := &Tracing{Enabled: o.boolean("enabled"), Tags: o.strMap("tags"), Baggage: o.strMap("baggage")}
	if pr, ok := o.object("provider"); ok {
		t.Provider = &Provider{Name: pr.str("name"), OapServer: pr.str("oapServer")}
		if e, ok := pr.object("exporter"); ok {
			t.Provider.Exporter = &Exporter{Name: e.str("name"), Endpoint: e.str("endpoint"), Headers: e.str("headers"),
				Compression: e.str("compression"), Timeout: e.str("timeout"), Protocol: e.str("protocol")}
		}
	}
	return t
}
