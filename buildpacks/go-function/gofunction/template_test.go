package gofunction

import (
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestRenderMainGolden(t *testing.T) {
	for _, tt := range []struct {
		golden string
		fn     Function
		o      MainOptions
	}{
		{"main_http.go.golden", Function{Name: "HelloWorld", Signature: HTTP}, MainOptions{}},
		{"main_cloudevent.go.golden", Function{Name: "OnEvent", Signature: CloudEvent}, MainOptions{}},
		{"main_declarative.go.golden", Function{Name: "Hello", Signature: HTTP, Declarative: true}, MainOptions{}},
		{"main_openfunction.go.golden", Function{Name: "Echo", Signature: OpenFunction}, MainOptions{}},
		{"main_all.go.golden", Function{Name: "MultipleFunctions", Signature: Multiple, Declarative: true, All: true}, MainOptions{}},
		{"main_compat_openfunction.go.golden", Function{Name: "Echo", Signature: OpenFunction, Framework: OpenFunctionFramework}, MainOptions{CompatModule: OpenFunctionModule}},
		{"main_compat_cloudevent.go.golden", Function{Name: "OnEvent", Signature: CloudEvent, Framework: SDKEvents}, MainOptions{CompatModule: GoogleModule}},
		{"main_native_openfunction_declarative.go.golden", Function{Name: "HelloWorld", Signature: HTTP, Declarative: true, Framework: OpenFunctionFramework}, MainOptions{Native: OpenFunctionFramework}},
		{"main_native_openfunction.go.golden", Function{Name: "Echo", Signature: OpenFunction, Framework: OpenFunctionFramework}, MainOptions{Native: OpenFunctionFramework}},
		{"main_native_google_declarative.go.golden", Function{Name: "HelloHTTP", Signature: HTTP, Declarative: true, Framework: GoogleFramework}, MainOptions{Native: GoogleFramework}},
		{"main_native_google.go.golden", Function{Name: "OnEvent", Signature: CloudEvent, Framework: SDKEvents}, MainOptions{Native: GoogleFramework}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := RenderMainWith("example.com/hello/fn", tt.fn, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				os.WriteFile(path, got, 0o644)
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if string(got) != string(want) {
				t.Fatalf("RenderMain differs from %s:\n%s", path, got)
			}
		})
	}
}
