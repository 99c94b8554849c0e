package render

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

var update = flag.Bool("update", false, "rewrite golden files")

func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Gateway = &Gateway{Domain: "fn.example.com", GatewayName: "kiln-gateway", GatewayNamespace: "kiln",
		HostTemplate: DefaultHostTemplate, PathTemplate: DefaultPathTemplate}
	return cfg
}

// loadFunction reads, defaults and validates a Function manifest.
func loadFunction(t *testing.T, path string) *v1alpha1.Function {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f v1alpha1.Function
	if err := yaml.UnmarshalStrict(b, &f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	f.Default()
	if errs := f.Validate(); len(errs) > 0 {
		t.Fatalf("%s: %v", path, errs.ToAggregate())
	}
	return &f
}

// TestGolden renders every testdata/functions manifest and compares the
// objects with testdata/golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/functions/*.yaml")
	if len(inputs) == 0 {
		t.Fatal("no testdata/functions")
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".yaml")
		t.Run(name, func(t *testing.T) {
			f := loadFunction(t, in)
			objs, err := All(f, testConfig(), "")
			if err != nil {
				t.Fatal(err)
			}
			got, err := YAML(objs)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", name+".yaml")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test -update writes it)", err)
			}
			if string(got) != string(want) {
				t.Fatalf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, got)
			}
		})
	}
}
