package convert

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/render"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestGolden converts testdata/openfunction/*.yaml; the golden file holds the
// Kiln Function and the notes. Every converted Function must default and
// validate.
func TestGolden(t *testing.T) {
	inputs, _ := filepath.Glob("testdata/openfunction/*.yaml")
	if len(inputs) == 0 {
		t.Fatal("no inputs")
	}
	for _, in := range inputs {
		name := filepath.Base(in)
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Convert(b)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Function.DeepCopy()
			f.Default()
			if errs := f.Validate(); len(errs) > 0 {
				t.Fatalf("converted Function is invalid: %v", errs.ToAggregate())
			}
			out, err := render.YAML([]client.Object{res.Function})
			if err != nil {
				t.Fatal(err)
			}
			got := string(out) + "# notes:\n#   " + strings.Join(res.Notes, "\n#   ") + "\n"
			golden := filepath.Join("testdata", "golden", name)
			if *update {
				os.WriteFile(golden, []byte(got), 0o644)
			}
			want, err := os.ReadFile(golden)
			if err != nil || got != string(want) {
				t.Fatalf("differs from %s (go test -update rewrites it):\n%s", golden, got)
			}
		})
	}
}

func TestRejects(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"apiVersion: v1\nkind: ConfigMap\n", `want an OpenFunction Function`},
		{"apiVersion: core.openfunction.io/v1alpha2\nkind: Function\nspec: {}\n", "Kiln converts v1beta1 and v1beta2"},
		{"apiVersion: core.openfunction.io/v1beta2\nkind: Function\nspec: {image: x, bogus: 1}\n", `unknown field "bogus"`},
		{"apiVersion: core.openfunction.io/v1beta2\nkind: Function\n", "spec: missing"},
	} {
		if _, err := Convert([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}
