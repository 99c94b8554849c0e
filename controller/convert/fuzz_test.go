package convert

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// FuzzConvert feeds kiln convert arbitrary bytes (the seeds: every
// testdata/openfunction manifest, and testdata/fuzz/FuzzConvert): it never
// panics, says the same twice, and what it prints parses back (strictly) as
// the same Kiln Function, which defaults and validates without panicking.
//
//	go test -fuzz FuzzConvert -fuzztime 1m ./controller/convert/
func FuzzConvert(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/openfunction/*.yaml")
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, manifest []byte) {
		res, err := Convert(manifest)
		again, err2 := Convert(manifest)
		if (err == nil) != (err2 == nil) {
			t.Fatalf("two conversions disagree: %v / %v", err, err2)
		}
		if err != nil {
			return
		}
		if !reflect.DeepEqual(res.Notes, again.Notes) {
			t.Fatalf("notes differ between two conversions:\n%q\n%q", res.Notes, again.Notes)
		}
		out, err := render.YAML([]client.Object{res.Function})
		if err != nil {
			t.Fatalf("printing the converted Function: %v", err)
		}
		var back v1alpha1.Function
		if err := yaml.UnmarshalStrict(out, &back); err != nil {
			t.Fatalf("the output does not parse back: %v\n%s", err, out)
		}
		if a, b := jsonOf(t, res.Function), jsonOf(t, &back); !bytes.Equal(a, b) {
			t.Fatalf("the output parses back as another Function:\n%s\n%s", a, b)
		}
		if a, b := jsonOf(t, res.Function), jsonOf(t, again.Function); !bytes.Equal(a, b) {
			t.Fatalf("two conversions differ:\n%s\n%s", a, b)
		}
		d := back.DeepCopy()
		d.Default()
		_ = d.Validate()
	})
}

func jsonOf(t *testing.T, f *v1alpha1.Function) []byte {
	t.Helper()
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
