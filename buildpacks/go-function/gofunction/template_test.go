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
	}{
		{"main_http.go.golden", Function{Name: "HelloWorld", Signature: HTTP}},
		{"main_cloudevent.go.golden", Function{Name: "OnEvent", Signature: CloudEvent}},
		{"main_declarative.go.golden", Function{Name: "Hello", Signature: HTTP, Declarative: true}},
		{"main_openfunction.go.golden", Function{Name: "Echo", Signature: OpenFunction}},
	} {
		t.Run(tt.golden, func(t *testing.T) {
			got, err := RenderMain("example.com/hello/fn", tt.fn)
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
