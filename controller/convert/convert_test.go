package convert

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
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
		{"apiVersion: core.openfunction.io/v1beta2\nkind: Function\n", "spec: missing"},
	} {
		if _, err := Convert([]byte(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.in, err, tc.want)
		}
	}
}

// TestConvertCases: what each OpenFunction field becomes, and the note
// that says so.
func TestConvertCases(t *testing.T) {
	const v1beta2 = "apiVersion: core.openfunction.io/v1beta2\nkind: Function\n"
	const v1beta1 = "apiVersion: core.openfunction.io/v1beta1\nkind: Function\n"
	for _, tc := range []struct {
		name, in string
		check    func(t *testing.T, r *Result)
		notes    []string
	}{{
		name: "OpenFunction's annotations go, others stay",
		in: v1beta2 + "metadata: {name: a, annotations: {plugins: x, plugins.tracing: y, openfunction.io/z: w, team: payments, " +
			"kubectl.kubernetes.io/last-applied-configuration: '{}'}}\nspec: {image: r.example.com/a, serving: {}}\n",
		check: func(t *testing.T, r *Result) {
			if a := r.Function.Annotations; len(a) != 1 || a["team"] != "payments" {
				t.Errorf("annotations %v", a)
			}
		},
		notes: []string{"metadata.annotations[openfunction.io/z]: OpenFunction-only, dropped", "metadata.annotations[plugins.tracing]: OpenFunction-only, dropped",
			"metadata.annotations[plugins]: OpenFunction-only, dropped"},
	}, {
		name: "enable-dapr true on a function without Dapr: no daprd, and the note says so",
		in:   v1beta2 + "metadata: {name: a}\nspec: {image: r.example.com/a, serving: {annotations: {openfunction.io/enable-dapr: 'true', openfunction.io/dapr-service-mode: proxy}}}\n",
		check: func(t *testing.T, r *Result) {
			if a := r.Function.Spec.Serving.Annotations; len(a) != 0 {
				t.Errorf("serving annotations %v", a)
			}
		},
		notes: []string{
			`spec.serving.annotations[openfunction.io/enable-dapr]: "true", dropped: this function gets no daprd (Kiln injects daprd into a function's pods when it is async or has Dapr inputs, outputs, components or state stores; OpenFunction would have run an idle one)`,
			`spec.serving.annotations[openfunction.io/dapr-service-mode]: "proxy" is not an OpenFunction mode (standalone or sidecar), dropped: Kiln injects daprd into a function's pods when it is async or has Dapr inputs, outputs, components or state stores, as a sidecar`,
		},
	}, {
		name: "enable-dapr false where the user set dapr.io/enabled: theirs stays",
		in: v1beta2 + "metadata: {name: a}\nspec: {image: r.example.com/a, serving: {annotations: {openfunction.io/enable-dapr: 'false', dapr.io/enabled: 'true'}, " +
			"outputs: [{dapr: {name: existing}}]}}\n",
		check: func(t *testing.T, r *Result) {
			if a := r.Function.Spec.Serving.Annotations; len(a) != 1 || a["dapr.io/enabled"] != "true" {
				t.Errorf("serving annotations %v", a)
			}
		},
	}, {
		name:  "enable-dapr neither true nor false",
		in:    v1beta2 + "metadata: {name: a}\nspec: {image: r.example.com/a, serving: {annotations: {openfunction.io/enable-dapr: 'yes'}}}\n",
		check: func(t *testing.T, r *Result) {},
		notes: []string{`spec.serving.annotations[openfunction.io/enable-dapr]: "yes" is neither true nor false, dropped (Kiln injects daprd into a function's pods when it is async or has Dapr inputs, outputs, components or state stores)`},
	}, {
		name: "no annotations left: none at all",
		in:   v1beta2 + "metadata: {name: a, annotations: {plugins: x}}\nspec: {image: r.example.com/a, serving: {}}\n",
		check: func(t *testing.T, r *Result) {
			if r.Function.Annotations != nil {
				t.Errorf("annotations %v", r.Function.Annotations)
			}
		},
		notes: []string{"metadata.annotations[plugins]: OpenFunction-only, dropped"},
	}, {
		name: "server fields go",
		in:   v1beta2 + "metadata: {name: a, uid: u, resourceVersion: '7', generation: 2, finalizers: [x], ownerReferences: []}\nspec: {image: r.example.com/a, serving: {}}\n",
		check: func(t *testing.T, r *Result) {
			if m := r.Function.ObjectMeta; m.UID != "" || m.ResourceVersion != "" || m.Generation != 0 || m.Finalizers != nil {
				t.Errorf("metadata %+v", m)
			}
		},
	}, {
		name: "a v1beta1 KEDA trigger on a job: a Job workload",
		in: v1beta1 + "metadata: {name: j}\nspec:\n  image: r.example.com/j\n  serving:\n    runtime: async\n    inputs: [{component: cron}]\n" +
			"    triggers: [{type: cron, targetKind: job, metadata: {timezone: UTC}}]\n",
		check: func(t *testing.T, r *Result) {
			s := r.Function.Spec.Serving
			if s.WorkloadType != "Job" || len(s.ScaleOptions.Keda.Triggers) != 1 || s.ScaleOptions.Keda.Triggers[0].Type != "cron" {
				t.Errorf("serving %+v", s)
			}
		},
	}, {
		name: "a v1beta1 KEDA trigger on a deployment: the workload stays",
		in: v1beta1 + "metadata: {name: j}\nspec:\n  image: r.example.com/j\n  serving:\n    runtime: async\n    inputs: [{component: cron}]\n" +
			"    triggers: [{type: kafka, targetKind: object, metadata: {topic: t}}]\n",
		check: func(t *testing.T, r *Result) {
			if s := r.Function.Spec.Serving; s.WorkloadType != "" {
				t.Errorf("workloadType %q", s.WorkloadType)
			}
		},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Convert([]byte(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
			for _, n := range tc.notes {
				if !slices.Contains(r.Notes, n) {
					t.Errorf("notes %q lack %q", r.Notes, n)
				}
			}
		})
	}
}

func TestOpenFunctionBuilderLanguage(t *testing.T) {
	for image, want := range map[string]string{
		"openfunction/builder-go:latest":               "go",
		"openfunction/builder-node:v2-16.15":           "nodejs",
		"docker.io/openfunction/builder-java:v2-17":    "java",
		"openfunction/builder-python@sha256:abc":       "python",
		"openfunction/builder-ruby:latest":             "",
		"openfunction/gcp-builder:v1":                  "",
		"registry.example.com/openfunction/builder-go": "go",
	} {
		if got := openFunctionBuilderLanguage(image); got != want {
			t.Errorf("%s: %q, want %q", image, got, want)
		}
	}
}
