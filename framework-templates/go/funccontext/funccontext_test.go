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
		{"HTTP (Knative), v1beta2", `{"name":"hello","version":"v1","triggers":{"http":{"port":9000}}}`,
			&Context{Name: "hello", Version: "v1", Runtime: Knative, Port: 9000, Inputs: map[string]IO{}, Outputs: map[string]IO{}, States: map[string]IO{}}},
		{"legacy runtime name", `{"name":"a","runtime":"OpenFuncAsync","inputs":{"i":{"componentName":"c","componentType":"bindings.cron"}}}`,
			&Context{Name: "a", Runtime: Async, Port: 8080, Inputs: map[string]IO{"i": {ComponentName: "c", ComponentType: "bindings.cron"}}, Outputs: map[string]IO{}, States: map[string]IO{}}},
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

func TestParseErrorsNameTheField(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"not JSON", "{\"name\": \"a\",\n \"runtime\": Async}", "FUNC_CONTEXT is not valid JSON (line 2"},
		{"wrong type", `{"name":"a","runtime":"Async","inputs":{"i":{"componentName":7}}}`, "FUNC_CONTEXT: inputs.componentName: want string, got a JSON number"},
		{"port", `{"name":"a","runtime":"Knative","port":"http"}`, `FUNC_CONTEXT: port: "http" is not a port number`},
		{"runtime", `{"name":"a","runtime":"Lambda"}`, `FUNC_CONTEXT: runtime: "Lambda"; want Knative (HTTP) or Async (Dapr inputs)`},
		{"no runtime", `{"name":"a"}`, "FUNC_CONTEXT: runtime: missing"},
		{"no name", `{"runtime":"Knative"}`, "FUNC_CONTEXT: name: missing"},
		{"async without inputs", `{"name":"a","runtime":"Async"}`, "FUNC_CONTEXT: inputs: empty; an Async function is started by Dapr inputs"},
		{"component type", `{"name":"a","runtime":"Async","inputs":{"i":{"componentName":"c","componentType":"queue.kafka"}}}`,
			`FUNC_CONTEXT: inputs.i.componentType: "queue.kafka"; want a type starting with bindings. or pubsub.`},
		{"component name", `{"name":"a","runtime":"Async","inputs":{"i":{"componentType":"bindings.cron"}}}`, "FUNC_CONTEXT: inputs.i.componentName: missing"},
		{"pubsub without topic", `{"name":"a","runtime":"Async","inputs":{"i":{"componentName":"c","componentType":"pubsub.redis"}}}`,
			"FUNC_CONTEXT: inputs.i: a pub/sub input needs its topic in uri (v1beta1) or topic (v1beta2)"},
		{"output pubsub without topic", `{"name":"a","runtime":"Async","inputs":{"i":{"componentName":"c","componentType":"bindings.cron"}},"outputs":{"o":{"componentName":"p","componentType":"pubsub.redis"}}}`,
			"FUNC_CONTEXT: outputs.o: a pub/sub output needs its topic in uri"},
		{"v1beta2 trigger without name", `{"name":"a","triggers":{"dapr":[{"type":"bindings.cron"}]}}`, "FUNC_CONTEXT: triggers.dapr[0].name: empty"},
		{"null output", `{"name":"a","runtime":"Knative","outputs":{"o":null}}`, "FUNC_CONTEXT: outputs.o: null"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v\nwant %q", err, tc.want)
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
