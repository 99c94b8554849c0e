package daprsidecar

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCheckFuncContext(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "mqtt.yaml"), []byte(`apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: mqtt-in
spec:
  type: bindings.mqtt3
  version: v1
---
apiVersion: dapr.io/v1alpha1
kind: Component
metadata:
  name: orders
spec:
  type: pubsub.redis
  version: v1
`), 0o644)
	os.WriteFile(filepath.Join(dir, "config.yaml"), []byte("apiVersion: dapr.io/v1alpha1\nkind: Configuration\nmetadata:\n  name: c\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("# not a component"), 0o644)
	comps, err := LoadComponents(dir)
	if err != nil || len(comps) != 2 || comps["orders"].Type != "pubsub.redis" {
		t.Fatalf("LoadComponents: %v %v", comps, err)
	}
	for _, tt := range []struct{ name, fc, err string }{
		{"all present", `{"inputs":{"in":{"componentName":"mqtt-in","componentType":"bindings.mqtt3"}},"outputs":{"o":{"componentName":"orders"}}}`, ""},
		{"no io", `{"name":"f"}`, ""},
		{"missing output", `{"outputs":{"out":{"componentName":"mqtt-out","componentType":"bindings.mqtt3"}}}`,
			`FUNC_CONTEXT outputs.out.componentName="mqtt-out": no Dapr Component of that name in ` + dir + ` (found: mqtt-in, orders)`},
		{"type mismatch", `{"inputs":{"in":{"componentName":"orders","componentType":"bindings.kafka"}}}`,
			`FUNC_CONTEXT inputs.in.componentType="bindings.kafka", but ` + filepath.Join(dir, "mqtt.yaml") + ` declares orders as "pubsub.redis"`},
		{"not JSON", `{`, "FUNC_CONTEXT is not JSON"},
	} {
		err := CheckFuncContext(tt.fc, comps, dir)
		if (tt.err == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: err %v, want %q", tt.name, err, tt.err)
		}
	}
}

func TestLoadComponentsNamesTheBadFile(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "bad.yaml"), []byte("kind: Component\nmetadata:\n  name: x\n"), 0o644)
	if _, err := LoadComponents(dir); err == nil || !strings.Contains(err.Error(), "bad.yaml (document 1): a Dapr Component needs metadata.name and spec.type") {
		t.Fatalf("err = %v", err)
	}
	if _, err := LoadComponents(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "--dapr") {
		t.Fatalf("err = %v", err)
	}
}
