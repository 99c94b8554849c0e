package nodeapp

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: any package.json parses or fails with an error naming
// package.json; what parses marshals back to JSON that parses to the same.
func FuzzParse(f *testing.F) {
	for _, s := range []string{`{"name":"fn","main":"index.js","type":"module","engines":{"node":"22"},"dependencies":{"x":"^1"}}`,
		`{"main": 1}`, `{"engines": {"node": 22}}`, "{\n\"a\":}", `[]`, `"s"`, `{"type":"esm"}`, `{"dependencies":{"a":null}}`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := Parse(b)
		if err != nil {
			if !strings.Contains(err.Error(), "package.json") {
				t.Fatalf("error does not name package.json: %v", err)
			}
			return
		}
		out, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parsing %s: %v", out, err)
		}
		if !reflect.DeepEqual(normalize(p), normalize(again)) {
			t.Fatalf("round trip: %+v != %+v", p, again)
		}
	})
}

func normalize(p *PackageJSON) PackageJSON {
	n := *p
	for _, m := range []*map[string]string{&n.Engines, &n.Dependencies, &n.OptionalDependencies, &n.Scripts} {
		if len(*m) == 0 {
			*m = nil
		}
	}
	return n
}
