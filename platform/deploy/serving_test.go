package deploy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/controller/render"
)

func TestReadServing(t *testing.T) {
	for _, c := range []struct {
		name, yaml, err string
	}{
		{"async on Redis Streams", `triggers: {dapr: [{name: orders, topic: orders}]}
outputs: [{dapr: {name: receipts, topic: receipts}}]
pubsub:
  orders: {type: pubsub.redis, version: v1, metadata: [{name: redisHost, value: "redis:6379"}]}
  receipts: {type: pubsub.redis, version: v1, metadata: [{name: redisHost, value: "redis:6379"}]}
scaleOptions: {minReplicas: 0, keda: {triggers: [{type: redis-streams, metadata: {stream: orders}}]}}
`, ""},
		{"a misspelt field", "triger: {dapr: [{name: orders}]}\n", `unknown field "triger"`},
		{"a whole Function", "apiVersion: core.kiln.dev/v1alpha1\nkind: Function\n", `not a Function's spec.serving`},
		{"not YAML", "triggers: [\n", "not a Function's spec.serving"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "serving.yaml")
			if err := os.WriteFile(p, []byte(c.yaml), 0o644); err != nil {
				t.Fatal(err)
			}
			s, err := ReadServing(p)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) || !strings.Contains(err.Error(), p) {
					t.Fatalf("err %v, want %q naming the file", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// Applied by kiln deploy, it is an async Function the
			// controller renders as Deployment + ScaledObject + Components.
			f := Function(Spec{Name: "orders", Namespace: "async", Image: "reg/orders", Source: "reg/src@sha256:" + strings.Repeat("1", 64),
				Language: "go", Env: map[string]string{"FUNC_NAME": "Receive"}, Serving: s})
			if !f.IsAsync() {
				t.Fatal("not async")
			}
			d := f.DeepCopy()
			d.Default()
			if errs := d.Validate(); len(errs) > 0 {
				t.Fatal(errs.ToAggregate())
			}
			objs, err := render.Serving(d, render.DefaultConfig(), "reg/orders@sha256:"+strings.Repeat("2", 64), nil)
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, o.GetObjectKind().GroupVersionKind().Kind)
			}
			if got := strings.Join(kinds, ","); got != "Deployment,ScaledObject,Component,Component" {
				t.Errorf("rendered %s", got)
			}
			s.Triggers = nil
			if f.Spec.Serving.Triggers == nil {
				t.Error("the Function shares the serving it was given")
			}
		})
	}
}
