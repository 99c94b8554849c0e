package convert

import (
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// TestPruneNotes: a field unknown to the manifest's version is dropped with
// exactly one note naming its path; known fields are kept without one.
func TestPruneNotes(t *testing.T) {
	const v1beta2 = "apiVersion: core.openfunction.io/v1beta2\nkind: Function\nmetadata: {name: a}\n"
	const v1beta1 = "apiVersion: core.openfunction.io/v1beta1\nkind: Function\nmetadata: {name: a}\n"
	note := func(version, path string) string {
		return path + ": not a field of core.openfunction.io/" + version + " Function; dropped (the API server prunes it too)"
	}
	for _, tc := range []struct {
		name, in string
		notes    []string
		// absent are YAML snippets the converted Function must not contain.
		absent []string
	}{{
		name:   "v1beta1's serving.runtime in a v1beta2 manifest",
		in:     v1beta2 + "spec: {image: r.example.com/a, serving: {runtime: knative, triggers: {http: {port: 8080}}}}\n",
		notes:  []string{note("v1beta2", "spec.serving.runtime")},
		absent: []string{"runtime"},
	}, {
		name:  "an unknown field in spec",
		in:    v1beta2 + "spec: {image: r.example.com/a, bogus: 1, serving: {}}\n",
		notes: []string{note("v1beta2", "spec.bogus")},
	}, {
		name:  "unknown fields in lists and maps name their index and key",
		in:    v1beta2 + "spec: {image: r.example.com/a, serving: {outputs: [{dapr: {name: o}}, {dapr: {name: p, topik: t}}], states: {s: {spec: {type: state.redis, version: v1, scopes: [x]}}}}}\n",
		notes: []string{note("v1beta2", "spec.serving.outputs[1].dapr.topik"), note("v1beta2", "spec.serving.states[s].spec.scopes")},
	}, {
		name:  "map keys are data, never pruned",
		in:    v1beta2 + "spec: {image: r.example.com/a, build: {env: {ANY_NAME: x}}, serving: {labels: {anything: y}}}\n",
		notes: nil,
	}, {
		name:  "a pod template prunes as a PodSpec",
		in:    v1beta2 + "spec: {image: r.example.com/a, serving: {template: {containers: [{name: function, imagePullPolicy: Always, cpu: 1}], nodeSelektor: {}}}}\n",
		notes: []string{note("v1beta2", "spec.serving.template.containers[0].cpu"), note("v1beta2", "spec.serving.template.nodeSelektor")},
	}, {
		name: "v1beta2 fields Kiln narrows are not pruned: the converter notes them",
		in: v1beta2 + "spec: {image: r.example.com/a, serving: {triggers: {http: {route: {rules: [{matches: [{path: {value: /a}, method: GET}], timeouts: {request: 1s}}]}}, " +
			"dapr: [{name: d, inputName: i}]}, outputs: [{dapr: {name: o, outputName: x}}]}}\n",
		notes: []string{"spec.serving.outputs[0].dapr.outputName: deprecated in OpenFunction, dropped",
			"spec.serving.triggers.dapr[0].inputName: deprecated in OpenFunction, dropped",
			"spec.serving.triggers.http.route.rules[0].matches[0].method: Kiln routes match paths only, dropped",
			"spec.serving.triggers.http.route.rules[0].timeouts: the controller sets backends and filters itself, dropped"},
	}, {
		name:   "top level and metadata",
		in:     v1beta2 + "spec: {image: r.example.com/a, serving: {}}\nstatus: {anything: 1}\nextra: 2\n",
		notes:  []string{note("v1beta2", "extra")},
		absent: []string{"extra", "anything"},
	}, {
		name:  "v1beta1 layout is known in v1beta1",
		in:    v1beta1 + "spec: {image: r.example.com/a, port: 8080, route: {hostnames: [a.example.com]}, build: {params: {A: b}}, serving: {runtime: knative}}\n",
		notes: nil,
	}, {
		name:  "v1beta2 layout is unknown in v1beta1",
		in:    v1beta1 + "spec: {image: r.example.com/a, serving: {runtime: knative, workloadType: Job}}\n",
		notes: []string{note("v1beta1", "spec.serving.workloadType")},
	}, {
		name:  "v1beta1 layout is unknown in v1beta2",
		in:    v1beta2 + "spec: {image: r.example.com/a, route: {hostnames: [a.example.com]}, build: {params: {A: b}}, serving: {inputs: [{name: i}]}}\n",
		notes: []string{note("v1beta2", "spec.build.params"), note("v1beta2", "spec.route"), note("v1beta2", "spec.serving.inputs")},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Convert([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(r.Notes, tc.notes) {
				t.Errorf("notes:\n%s\nwant:\n%s", strings.Join(r.Notes, "\n"), strings.Join(tc.notes, "\n"))
			}
			out, err := yaml.Marshal(r.Function)
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range tc.absent {
				if strings.Contains(string(out), a) {
					t.Errorf("output holds %q:\n%s", a, out)
				}
			}
		})
	}
}

// TestWrongTypesStayErrors: pruning drops unknown fields only; a known
// field with a value of the wrong type is still rejected.
func TestWrongTypesStayErrors(t *testing.T) {
	const v1beta2 = "apiVersion: core.openfunction.io/v1beta2\nkind: Function\nmetadata: {name: a}\n"
	for _, in := range []string{
		v1beta2 + "spec: {image: {name: x}, serving: {runtime: knative}}\n",
		v1beta2 + "spec: {image: r.example.com/a, serving: {scaleOptions: {minReplicas: many}, runtime: knative}}\n",
		v1beta2 + "spec: {image: r.example.com/a, serving: {triggers: {dapr: {name: d}}}}\n",
		v1beta2 + "spec: {image: r.example.com/a, serving: {template: {containers: {name: c}}}}\n",
		v1beta2 + "spec: {image: r.example.com/a, build: {env: [A]}}\n",
	} {
		if _, err := Convert([]byte(in)); err == nil || !strings.Contains(err.Error(), "does not fit core.kiln.dev/v1alpha1") {
			t.Errorf("%q: err = %v, want a type error", in, err)
		}
	}
}

// TestKilnSchemaKnowsKilnFunctions: the schema derived from the Go types
// prunes nothing of a Kiln Function (every golden output), so it knows
// every field the types have.
func TestKilnSchemaKnowsKilnFunctions(t *testing.T) {
	goldens, _ := filepath.Glob("testdata/golden/*.yaml")
	if len(goldens) == 0 {
		t.Fatal("no golden files")
	}
	s := kilnSchema()
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var m obj
		if err := yaml.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		prune(m, s, "", func(p string) { t.Errorf("%s: %s pruned", g, p) })
	}
}

// TestSchemaOf: JSON names, inlined structs, maps, lists and values read
// whole.
func TestSchemaOf(t *testing.T) {
	s := schemaOf(reflect.TypeFor[v1alpha1.Output](), map[reflect.Type]*field{})
	d := s.props["dapr"]
	if d == nil || d.kind != objectField {
		t.Fatalf("dapr: %+v", d)
	}
	got := slices.Sorted(maps.Keys(d.props))
	if want := []string{"metadata", "name", "operation", "topic", "type"}; !slices.Equal(got, want) {
		t.Errorf("DaprOutput (DaprIO inlined): %q, want %q", got, want)
	}
	if m := d.props["metadata"]; m.kind != mapField || m.items.kind != leafField {
		t.Errorf("metadata: %+v", m)
	}
	f := kilnSchema()
	if _, ok := f.props["apiVersion"]; !ok {
		t.Error("TypeMeta is not inlined")
	}
	if b := f.props["spec"].props["build"].props["timeout"]; b.kind != leafField {
		t.Errorf("a metav1.Duration is read whole: %+v", b)
	}
	if c := f.props["spec"].props["serving"].props["template"].props["containers"]; c.kind != listField || c.items.props["resources"] == nil {
		t.Errorf("containers: %+v", c)
	}
}

// TestWithCopies: adding to a schema leaves the schema it came from (and
// the nodes shared with it) unchanged.
func TestWithCopies(t *testing.T) {
	k := kilnSchema()
	v2 := v1beta2Schema()
	v1 := v1beta1Schema()
	rule := func(s *field) *field {
		return s.props["spec"].props["serving"].props["triggers"].props["http"].props["route"].props["rules"].items
	}
	if _, ok := rule(k).props["filters"]; ok {
		t.Error("v1beta2's extras leaked into Kiln's schema")
	}
	if _, ok := rule(v2).props["filters"]; !ok {
		t.Error("v1beta2 lacks rules[].filters")
	}
	if _, ok := v2.props["spec"].props["port"]; ok {
		t.Error("v1beta1's spec.port leaked into v1beta2")
	}
	if _, ok := v1.props["spec"].props["port"]; !ok {
		t.Error("v1beta1 lacks spec.port")
	}
	if _, ok := v2.props["spec"].props["serving"].props["scaleOptions"].props["keda"].props["scaledObject"].props["minReplicaCount"]; ok {
		t.Error("v1beta1's minReplicaCount leaked into v1beta2")
	}
	if s := with(k, "spec.serving", nil); s.props["spec"].props["serving"] != nil || k.props["spec"].props["serving"] == nil {
		t.Error("with(path, nil) deletes in the copy only")
	}
}

// TestSchemaOfEmbedded follows encoding/json: an untagged embedded struct
// is inlined, a tagged one is a property, "-" and unexported fields are
// not fields.
func TestSchemaOfEmbedded(t *testing.T) {
	type Inner struct {
		A string `json:"a"`
	}
	type Named struct {
		B string `json:"b"`
	}
	type outer struct {
		Inner
		Named  `json:"named"`
		Skip   string `json:"-"`
		hidden string
		NoTag  int
	}
	_ = outer{}.hidden
	s := schemaOf(reflect.TypeFor[outer](), map[reflect.Type]*field{})
	got := slices.Sorted(maps.Keys(s.props))
	if want := []string{"NoTag", "a", "named"}; !slices.Equal(got, want) {
		t.Errorf("props %q, want %q", got, want)
	}
}
