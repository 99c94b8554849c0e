package daprsidecar

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// FuzzLoadComponents: any bytes in a components folder give Components with
// a name and a type, or an error naming the file; never a panic, and the
// same answer twice.
func FuzzLoadComponents(f *testing.F) {
	for _, seed := range []string{
		"apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: mqtt-in\nspec:\n  type: bindings.mqtt3\n",
		"kind: Component\nmetadata: {name: a}\nspec: {type: pubsub.redis}\n---\nkind: Component\nmetadata: {name: b}\nspec: {type: bindings.kafka}\n",
		"kind: Configuration\nmetadata: {name: c}\n",
		"kind: Component\nmetadata: {name: \"\"}\nspec: {type: x}\n",
		"kind: [Component]\n",
		"a: &a [*a, *a]\n",
		"{\"kind\":\"Component\",\"metadata\":{\"name\":\"j\"},\"spec\":{\"type\":\"state.redis\"}}",
		"\n---\n---\n",
		"kind: Component\nmetadata:\n  name: x\n  name: y\nspec:\n  type: t\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		dir := t.TempDir()
		path := filepath.Join(dir, "c.yaml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		got, err := LoadComponents(dir)
		if err != nil {
			if !strings.Contains(err.Error(), path) {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		for name, c := range got {
			if name == "" || c.Name != name || c.Type == "" || c.File != path {
				t.Fatalf("component %q = %+v", name, c)
			}
		}
		again, err := LoadComponents(dir)
		if err != nil || !reflect.DeepEqual(got, again) {
			t.Fatalf("second load: %v %v, first %v", again, err, got)
		}
	})
}

func TestLoadComponentsRefusesAHugeFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(path, make([]byte, maxComponentFile+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := LoadComponents(dir)
	if err == nil || !strings.Contains(err.Error(), path+": over 1048576 bytes") {
		t.Fatalf("got %v", err)
	}
	if err := os.WriteFile(path, []byte("kind: Component\nmetadata: {name: a}\nspec: {type: t}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if c, err := LoadComponents(dir); err != nil || c["a"].Type != "t" {
		t.Fatalf("a small file: %v %v", c, err)
	}
}
