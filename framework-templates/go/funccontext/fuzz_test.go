package funccontext

import (
	"reflect"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary text to Parse: it must never panic, must say the
// same thing twice (no map-order dependence), every error line must name
// FUNC_CONTEXT, and an accepted context must satisfy what check promises.
func FuzzParse(f *testing.F) {
	for _, s := range []string{kilnController, openFunctionV1beta1, openFunctionV1beta2,
		`{"name":"a","runtime":"Async","inputs":{"i":null}}`, `{"name":"a","triggers":{"dapr":[{"name":"c","type":"bindings.cron"},"x"]}}`,
		`{"name":"a","triggers":{"http":{"port":"9000"}},"tracing":{"provider":{"exporter":{}}}}`, `[]`, `{`, `null`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Parse(s)
		c2, err2 := Parse(s)
		if (err == nil) != (err2 == nil) || (err != nil && err.Error() != err2.Error()) || !reflect.DeepEqual(c, c2) {
			t.Fatalf("two parses differ:\n%v %+v\n%v %+v", err, c, err2, c2)
		}
		if err != nil {
			for _, line := range strings.Split(err.Error(), "\n") {
				if !strings.HasPrefix(line, Env) {
					t.Fatalf("error line %q does not name %s", line, Env)
				}
			}
			return
		}
		if c.Name == "" || (c.Runtime != Knative && c.Runtime != Async) || c.Port < 1 || c.Port > 65535 {
			t.Fatalf("accepted %+v", c)
		}
		if c.Runtime == Async && len(c.Inputs) == 0 {
			t.Fatalf("accepted an Async context without inputs: %+v", c)
		}
		for set, m := range map[string]map[string]IO{"inputs": c.Inputs, "outputs": c.Outputs, "states": c.States} {
			for k, io := range m {
				if io.ComponentName == "" || (set != "states" && !io.IsBinding() && !io.IsPubSub()) || (io.IsPubSub() && io.Topic == "") {
					t.Fatalf("accepted %s.%s = %+v", set, k, io)
				}
			}
		}
	})
}
