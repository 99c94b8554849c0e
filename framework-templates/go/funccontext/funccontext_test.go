package funccontext

import (
	"reflect"
	"strings"
	"testing"
)

// kilnController is what controller/render writes for an MQTT in → out
// function (see controller/render/testdata/golden/async-mqtt.yaml).
const kilnController = `{"name":"mqtt-echo","version":"v2.0.0","runtime":"Async","port":"8080","inputs":{"mqtt-in":{"uri":"mqtt-in","componentName":"mqtt-echo-mqtt-in","componentType":"bindings.mqtt3"}},"outputs":{"mqtt-out":{"uri":"mqtt-out","componentName":"mqtt-echo-mqtt-out","componentType":"bindings.mqtt3","operation":"create"}},"prePlugins":["log-input"],"postPlugins":["log-output"]}`

// openFunctionV1beta1 is OpenFunction's example (cron in, Kafka out).
const openFunctionV1beta1 = `{"name":"cron-input-kafka-output","version":"v2.0.0","runtime":"Async","port":"8080",
 "inputs":{"cron":{"uri":"cron","componentName":"serving-xxxxx-bindings-cron-abcde","componentType":"bindings.cron"}},
 "outputs":{"kafka-server":{"uri":"kafka-server","componentName":"serving-xxxxx-bindings-kafka-server-fghij","componentType":"bindings.kafka","operation":"create"}},
 "prePlugins":["plugin-example","plugin-custom"],"postPlugins":["plugin-custom","plugin-example"]}`

const openFunctionV1beta2 = `{"name":"sub","version":"v1","triggers":{"dapr":[{"name":"orders-pubsub","type":"pubsub.redis","topic":"orders"}]},
 "outputs":{"tallies":{"componentName":"orders-pubsub","componentType":"pubsub.redis","topic":"tallies"}},
 "states":{"cache":{"componentName":"redis-state","componentType":"state.redis"}},
 "preHooks":["log"],"postHooks":["log"],"tracing":{"enabled":true,"provider":{"name":"opentelemetry"},"tags":{"team":"shop"}}}`

func TestParseShapes(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     *Context
	}{
		{"kiln controller (v1beta1 shape)", kilnController, &Context{Name: "mqtt-echo", Version: "v2.0.0", Runtime: Async, Port: 8080,
			Inputs:   map[string]IO{"mqtt-in": {ComponentName: "mqtt-echo-mqtt-in", ComponentType: "bindings.mqtt3"}},
			Outputs:  map[string]IO{"mqtt-out": {ComponentName: "mqtt-echo-mqtt-out", ComponentType: "bindings.mqtt3", Operation: "create"}},
			States:   map[string]IO{},
			PreHooks: []string{"log-input"}, PostHooks: []string{"log-output"}}},
		{"OpenFunction v1beta1", openFunctionV1beta1, &Context{Name: "cron-input-kafka-output", Version: "v2.0.0", Runtime: Async, Port: 8080,
			Inputs:   map[string]IO{"cron": {ComponentName: "serving-xxxxx-bindings-cron-abcde", ComponentType: "bindings.cron"}},
			Outputs:  map[string]IO{"kafka-server": {ComponentName: "serving-xxxxx-bindings-kafka-server-fghij", ComponentType: "bindings.kafka", Operation: "create"}},
			States:   map[string]IO{},
			PreHooks: []string{"plugin-example", "plugin-custom"}, PostHooks: []string{"plugin-custom", "plugin-example"}}},
		{"OpenFunction v1beta2", openFunctionV1beta2, &Context{Name: "sub", Version: "v1", Runtime: Async, Port: 8080,
			Inputs:   map[string]IO{"orders-pubsub": {ComponentName: "orders-pubsub", ComponentType: "pubsub.redis", Topic: "orders"}},
			Outputs:  map[string]IO{"tallies": {ComponentName: "orders-pubsub", ComponentType: "pubsub.redis", Topic: "tallies"}},
			States:   map[string]IO{"cache": {ComponentName: "redis-state", ComponentType: "state.redis"}},
			PreHooks: []string{"log"}, PostHooks: []string{"log"},
			Tracing: &Tracing{Enabled: true, Provider: &Provider{Name: "opentelemetry"}, Tags: map[string]string{"team": "shop"}}}},
		{"HTTP (Knative), v1beta1", `{"name":"hello","version":"v1","runtime":"Knative","port":"9000"}`,
			&Context{Name: "hello", Version: "v1", Runtime: Knative, Port: 9000, Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"lowest port", `{"name":"hello","runtime":"Knative","port":"1"}`,
			&Context{Name: "hello", Runtime: Knative, Port: 1, Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"highest port", `{"name":"hello","runtime":"Knative","port":65535}`,
			&Context{Name: "hello", Runtime: Knative, Port: 65535, Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"HTTP (Knative), v1beta2", `{"name":"hello","version":"v1","triggers":{"http":{"port":9000}}}`,
			&Context{Name: "hello", Version: "v1", Runtime: Knative, Port: 9000, Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"legacy runtime name", `{"name":"a","runtime":"OpenFuncAsync","inputs":{"i":{"componentName":"c","componentType":"bindings.cron"}}}`,
			&Context{Name: "a", Runtime: Async, Port: 8080, Inputs: map[string]IO{"i": {ComponentName: "c", ComponentType: "bindings.cron"}}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"v1beta1 details: numeric port, topics, metadata, shared output component, tracing, null v1beta2 keys",
			`{"name":"d","runtime":"knative","port":9090,"tracing":null,"preHooks":null,
			  "inputs":{"a":{"componentName":"ps","componentType":"pubsub.redis","uri":"t1","metadata":{"k":"v"}},
			            "b":{"componentName":"ps","componentType":"pubsub.redis","uri":"t2"},
			            "c":{"componentName":"cron","componentType":"bindings.cron","uri":"ignored"}},
			  "outputs":{"x":{"componentName":"k","componentType":"bindings.kafka","operation":"create"},"y":{"componentName":"k","componentType":"bindings.kafka","operation":"get"}},
			  "states":{"s":{"componentName":"r"}},
			  "pluginsTracing":{"enabled":true,"provider":{"name":"opentelemetry","oapServer":"o:1","exporter":{"name":"otlp","endpoint":"c:4318","headers":"h=1","compression":"gzip","timeout":"5s","protocol":"http/json"}},"baggage":{"b":"1"}}}`,
			&Context{Name: "d", Runtime: Knative, Port: 9090,
				Inputs: map[string]IO{"a": {ComponentName: "ps", ComponentType: "pubsub.redis", Topic: "t1", Metadata: map[string]string{"k": "v"}},
					"b": {ComponentName: "ps", ComponentType: "pubsub.redis", Topic: "t2"}, "c": {ComponentName: "cron", ComponentType: "bindings.cron"}},
				Outputs: map[string]IO{"x": {ComponentName: "k", ComponentType: "bindings.kafka", Operation: "create"}, "y": {ComponentName: "k", ComponentType: "bindings.kafka", Operation: "get"}},
				States:  map[string]IO{"s": {ComponentName: "r"}},
				Tracing: &Tracing{Enabled: true, Baggage: map[string]string{"b": "1"}, Provider: &Provider{Name: "opentelemetry", OapServer: "o:1",
					Exporter: &Exporter{Name: "otlp", Endpoint: "c:4318", Headers: "h=1", Compression: "gzip", Timeout: "5s", Protocol: "http/json"}}}}},
		{"v1beta2 details: string port, triggers and inputs together, null triggers is v1beta2",
			`{"name":"e","triggers":{"http":{"port":"9001"}},"inputs":{"i":{"componentName":"m","componentType":"bindings.mqtt3","metadata":{"q":"1"}}},"postHooks":["log"]}`,
			&Context{Name: "e", Runtime: Knative, Port: 9001, PostHooks: []string{"log"},
				Inputs: map[string]IO{"i": {ComponentName: "m", ComponentType: "bindings.mqtt3", Metadata: map[string]string{"q": "1"}}}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"v1beta2 two triggers", `{"name":"f","triggers":null,"inputs":{"t":{"componentName":"ps","componentType":"pubsub.redis","topic":"a"}},
			"triggers":{"dapr":[{"name":"cron","type":"bindings.cron"},{"name":"ps","type":"pubsub.redis","topic":"b"}]}}`,
			&Context{Name: "f", Runtime: Async, Port: 8080, Outputs: map[string]IO{}, States: map[string]IO{},
				Inputs: map[string]IO{"cron": {ComponentName: "cron", ComponentType: "bindings.cron"}, "ps": {ComponentName: "ps", ComponentType: "pubsub.redis", Topic: "b"},
					"t": {ComponentName: "ps", ComponentType: "pubsub.redis", Topic: "a"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// async wraps the given JSON members into a v1beta1 Async context.
func async(members string) string { return `{"name":"a","runtime":"Async",` + members + `}` }

// in1 is a valid v1beta1 binding input, for cases about other fields.
const in1 = `"inputs":{"i":{"componentName":"c","componentType":"bindings.cron"}}`

func TestParseErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []string // every line of the error, in order
	}{
		{"not JSON", "{\"name\": \"a\",\n \"runtime\": Async}",
			[]string{"FUNC_CONTEXT is not valid JSON (line 2, column 13): invalid character 'A' looking for beginning of value"}},
		{"not JSON on line 1", `{"name":}`, []string{"FUNC_CONTEXT is not valid JSON (line 1, column 9): invalid character '}' looking for beginning of value"}},
		{"truncated", `{"name":"a"`, []string{"FUNC_CONTEXT is not valid JSON (line 1, column 11): unexpected end of JSON input"}},
		{"not an object", `["a"]`, []string{"FUNC_CONTEXT: want a JSON object, got a JSON array"}},
		{"null", `null`, []string{"FUNC_CONTEXT: want a JSON object, got a JSON null"}},
		// v1beta1
		{"name missing", `{"runtime":"Knative"}`, []string{"FUNC_CONTEXT: name: missing; the function's name"}},
		{"name type", `{"name":["a"],"runtime":"Knative"}`, []string{"FUNC_CONTEXT: name: want a string, got a JSON array"}},
		{"runtime missing", `{"name":"a"}`, []string{"FUNC_CONTEXT: runtime: missing; want Knative (HTTP) or Async (Dapr inputs)"}},
		{"runtime unknown", `{"name":"a","runtime":"Lambda"}`, []string{`FUNC_CONTEXT: runtime: "Lambda"; want Knative (HTTP) or Async (Dapr inputs)`}},
		{"runtime type", `{"name":"a","runtime":1}`, []string{"FUNC_CONTEXT: runtime: want a string, got a JSON number"}},
		{"port word", `{"name":"a","runtime":"Knative","port":"eighty"}`, []string{`FUNC_CONTEXT: port: "eighty" is not a port number (1-65535)`}},
		{"port zero", `{"name":"a","runtime":"Knative","port":"0"}`, []string{`FUNC_CONTEXT: port: "0" is not a port number (1-65535)`}},
		{"port too big", `{"name":"a","runtime":"Knative","port":65536}`, []string{`FUNC_CONTEXT: port: 65536 is not a port number (1-65535)`}},
		{"port type", `{"name":"a","runtime":"Knative","port":{}}`, []string{`FUNC_CONTEXT: port: want a port number, got a JSON object`}},
		{"inputs type", async(`"inputs":["i"]`), []string{"FUNC_CONTEXT: inputs: want an object, got a JSON array"}},
		{"input type", async(`"inputs":{"i":"c"}`), []string{"FUNC_CONTEXT: inputs.i: want an object, got a JSON string"}},
		{"input null", async(`"inputs":{"i":null}`), []string{"FUNC_CONTEXT: inputs.i: null; give componentName and componentType"}},
		{"output null", `{"name":"a","runtime":"Knative","outputs":{"o":null}}`, []string{"FUNC_CONTEXT: outputs.o: null; give componentName and componentType"}},
		{"componentName type keeps the input's key", async(`"inputs":{"i":{"componentName":7,"componentType":"bindings.cron"}}`),
			[]string{"FUNC_CONTEXT: inputs.i.componentName: want a string, got a JSON number"}},
		{"componentName missing", async(`"inputs":{"i":{"componentType":"bindings.cron"}}`),
			[]string{"FUNC_CONTEXT: inputs.i.componentName: missing; the Dapr component's name"}},
		{"componentType unknown", async(`"inputs":{"i":{"componentName":"c","componentType":"queue.kafka"}}`),
			[]string{`FUNC_CONTEXT: inputs.i.componentType: "queue.kafka"; want a type starting with bindings. or pubsub.`}},
		{"componentType missing", async(`"inputs":{"i":{"componentName":"c"}}`),
			[]string{"FUNC_CONTEXT: inputs.i.componentType: missing; want a type starting with bindings. or pubsub."}},
		{"metadata value type", async(`"inputs":{"i":{"componentName":"c","componentType":"bindings.mqtt3","metadata":{"qos":1}}}`),
			[]string{"FUNC_CONTEXT: inputs.i.metadata.qos: want a string, got a JSON number"}},
		{"pub/sub input without topic", async(`"inputs":{"i":{"componentName":"c","componentType":"pubsub.redis"}}`),
			[]string{"FUNC_CONTEXT: inputs.i.uri: missing; a pub/sub input names its topic here"}},
		{"pub/sub output without topic", async(in1 + `,"outputs":{"o":{"componentName":"p","componentType":"pubsub.redis"}}`),
			[]string{"FUNC_CONTEXT: outputs.o.uri: missing; a pub/sub output names its topic here"}},
		{"output componentName", async(in1 + `,"outputs":{"o":{"componentType":"bindings.kafka"}}`),
			[]string{"FUNC_CONTEXT: outputs.o.componentName: missing; the Dapr component's name"}},
		{"output componentType", async(in1 + `,"outputs":{"o":{"componentName":"k","componentType":"state.redis"}}`),
			[]string{`FUNC_CONTEXT: outputs.o.componentType: "state.redis"; want a type starting with bindings. or pubsub.`}},
		{"state componentType", async(in1 + `,"states":{"s":{"componentName":"r","componentType":"bindings.redis"}}`),
			[]string{`FUNC_CONTEXT: states.s.componentType: "bindings.redis"; want a type starting with state.`}},
		{"state componentName", async(in1 + `,"states":{"s":{"componentType":"state.redis"}}`),
			[]string{"FUNC_CONTEXT: states.s.componentName: missing; the Dapr component's name"}},
		{"hooks", async(in1 + `,"prePlugins":"log","postPlugins":["log",2]`),
			[]string{"FUNC_CONTEXT: prePlugins: want a list of strings, got a JSON string", "FUNC_CONTEXT: postPlugins[1]: want a string, got a JSON number"}},
		{"tracing", async(in1 + `,"pluginsTracing":{"enabled":"yes","provider":{"name":"opentelemetry","exporter":{"endpoint":4318}},"tags":{"team":1}}`),
			[]string{"FUNC_CONTEXT: pluginsTracing.enabled: want true or false, got a JSON string",
				"FUNC_CONTEXT: pluginsTracing.tags.team: want a string, got a JSON number",
				"FUNC_CONTEXT: pluginsTracing.provider.exporter.endpoint: want a string, got a JSON number"}},
		{"tracing provider type", async(in1 + `,"pluginsTracing":{"provider":"otel"}`),
			[]string{"FUNC_CONTEXT: pluginsTracing.provider: want an object, got a JSON string"}},
		{"async without inputs", `{"name":"a","runtime":"Async"}`,
			[]string{"FUNC_CONTEXT: inputs: empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)"}},
		{"two inputs on one binding", async(`"inputs":{"a":{"componentName":"mqtt-in","componentType":"bindings.mqtt3"},"b":{"componentName":"mqtt-in","componentType":"bindings.mqtt3"}}`),
			[]string{`FUNC_CONTEXT: inputs.b.componentName: binding component "mqtt-in" is also inputs.a's; Dapr delivers its events to one input, so declare it once`}},
		{"two inputs on one topic", async(`"inputs":{"a":{"componentName":"ps","componentType":"pubsub.redis","uri":"orders"},"b":{"componentName":"ps","componentType":"pubsub.redis","uri":"orders"}}`),
			[]string{`FUNC_CONTEXT: inputs.b.uri: pub/sub ps topic "orders" is also inputs.a's; Dapr delivers its events to one input, so declare it once`}},
		{"every problem at once", `{"runtime":"Async","port":"x","inputs":{"i":{"componentType":"bindings.cron"}}}`,
			[]string{`FUNC_CONTEXT: port: "x" is not a port number (1-65535)`, "FUNC_CONTEXT: name: missing; the function's name",
				"FUNC_CONTEXT: inputs.i.componentName: missing; the Dapr component's name"}},
		// v1beta2
		{"v1beta2 name", `{"triggers":{"http":{}}}`, []string{"FUNC_CONTEXT: name: missing; the function's name"}},
		{"v1beta2 triggers type", `{"name":"a","triggers":[]}`, []string{"FUNC_CONTEXT: triggers: want an object, got a JSON array"}},
		{"v1beta2 http port", `{"name":"a","triggers":{"http":{"port":0}}}`, []string{"FUNC_CONTEXT: triggers.http.port: 0 is not a port number (1-65535)"}},
		{"v1beta2 dapr type", `{"name":"a","triggers":{"dapr":{"name":"c"}}}`, []string{"FUNC_CONTEXT: triggers.dapr: want a list, got a JSON object"}},
		{"v1beta2 trigger type", `{"name":"a","triggers":{"dapr":["c"]}}`, []string{"FUNC_CONTEXT: triggers.dapr[0]: want an object, got a JSON string"}},
		{"v1beta2 trigger name", `{"name":"a","triggers":{"dapr":[{"name":"c","type":"bindings.cron"},{"type":"bindings.cron"}]}}`,
			[]string{"FUNC_CONTEXT: triggers.dapr[1].name: missing; name the Dapr component that triggers the function"}},
		{"v1beta2 trigger name type", `{"name":"a","triggers":{"dapr":[{"name":5,"type":"bindings.cron"}]}}`,
			[]string{"FUNC_CONTEXT: triggers.dapr[0].name: want a string, got a JSON number"}},
		{"v1beta2 trigger type unknown", `{"name":"a","triggers":{"dapr":[{"name":"c","type":"queue.x"}]}}`,
			[]string{`FUNC_CONTEXT: triggers.dapr[0].type: "queue.x"; want a type starting with bindings. or pubsub.`}},
		{"v1beta2 trigger topic", `{"name":"a","triggers":{"dapr":[{"name":"ps","type":"pubsub.redis"}]}}`,
			[]string{"FUNC_CONTEXT: triggers.dapr[0].topic: missing; a pub/sub input names its topic here"}},
		{"v1beta2 two triggers of one name", `{"name":"a","triggers":{"dapr":[{"name":"ps","type":"pubsub.redis","topic":"a"},{"name":"ps","type":"pubsub.redis","topic":"b"}]}}`,
			[]string{`FUNC_CONTEXT: triggers.dapr[1].name: "ps" is also triggers.dapr[0]'s name; inputs need distinct names (a second topic of one pub/sub component goes under inputs with a name of its own)`}},
		{"v1beta2 input named like a trigger", `{"name":"a","triggers":{"dapr":[{"name":"c","type":"bindings.cron"}]},"inputs":{"c":{"componentName":"d","componentType":"bindings.cron"}}}`,
			[]string{`FUNC_CONTEXT: inputs.c: "c" is also triggers.dapr[0]'s name; inputs need distinct names (a second topic of one pub/sub component goes under inputs with a name of its own)`}},
		{"v1beta2 input on a trigger's binding", `{"name":"a","triggers":{"dapr":[{"name":"c","type":"bindings.cron"}]},"inputs":{"again":{"componentName":"c","componentType":"bindings.cron"}}}`,
			[]string{`FUNC_CONTEXT: inputs.again.componentName: binding component "c" is also triggers.dapr[0]'s; Dapr delivers its events to one input, so declare it once`}},
		{"v1beta2 input on a trigger's topic", `{"name":"a","triggers":{"dapr":[{"name":"ps","type":"pubsub.redis","topic":"t"}]},"inputs":{"again":{"componentName":"ps","componentType":"pubsub.redis","topic":"t"}}}`,
			[]string{`FUNC_CONTEXT: inputs.again.topic: pub/sub ps topic "t" is also triggers.dapr[0]'s; Dapr delivers its events to one input, so declare it once`}},
		{"v1beta2 output topic", `{"name":"a","triggers":{"http":{}},"outputs":{"o":{"componentName":"ps","componentType":"pubsub.redis"}}}`,
			[]string{"FUNC_CONTEXT: outputs.o.topic: missing; a pub/sub output names its topic here"}},
		{"v1beta2 null triggers", `{"name":"a","triggers":null}`,
			[]string{"FUNC_CONTEXT: triggers.dapr: empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)"}},
		{"v1beta2 without triggers", `{"name":"a","triggers":{}}`,
			[]string{"FUNC_CONTEXT: triggers.dapr: empty; an Async function is started by Dapr inputs (bindings or pub/sub topics)"}},
		{"v1beta2 hooks and tracing", `{"name":"a","triggers":{"http":{}},"preHooks":[1],"tracing":{"provider":{"name":2}}}`,
			[]string{"FUNC_CONTEXT: preHooks[0]: want a string, got a JSON number", "FUNC_CONTEXT: tracing.provider.name: want a string, got a JSON number"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("no error, want\n%s", strings.Join(tc.want, "\n"))
			}
			if got, want := err.Error(), strings.Join(tc.want, "\n"); got != want {
				t.Fatalf("error:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestFromEnv(t *testing.T) {
	t.Setenv(Env, "")
	if _, err := FromEnv(); err == nil || !strings.Contains(err.Error(), "FUNC_CONTEXT is not set") {
		t.Fatalf("err = %v", err)
	}
	t.Setenv(Env, kilnController)
	c, err := FromEnv()
	if err != nil || c.Name != "mqtt-echo" || !c.Outputs["mqtt-out"].IsBinding() || c.Outputs["mqtt-out"].IsPubSub() {
		t.Fatalf("%+v %v", c, err)
	}
}
