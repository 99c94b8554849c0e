package clusteraddons

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// KEDA v2.21.0's install as Kiln renders it, pinned. The CRDs are 750 KB
// of generated schema: the golden keeps their digest and the patched
// fields are checked outright.
func TestRenderKEDAGolden(t *testing.T) {
	m, err := RenderKEDA(moduleFS(t, "github.com/kedacore/keda/v2", "v2.21.0"))
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "keda-v2.21.0.objects.yaml", m.Objects)
	sum := sha256.Sum256(m.CRDs)
	golden(t, "keda-v2.21.0.crds.sha256", []byte(hex.EncodeToString(sum[:])+"\n"))
	objs := string(m.Objects)
	for _, want := range []string{
		"image: ko://github.com/kedacore/keda/v2/cmd/operator", "image: ko://github.com/kedacore/keda/v2/cmd/adapter",
		"image: ko://github.com/kedacore/keda/v2/cmd/webhooks", "- /ko-app/operator", "- /ko-app/adapter", "- /ko-app/webhooks",
		"kind: APIService", "kind: ValidatingWebhookConfiguration", "--enable-cert-rotation=true",
	} {
		if !strings.Contains(objs, want) {
			t.Errorf("the objects lack %q", want)
		}
	}
	if strings.Contains(objs, "ghcr.io") {
		t.Error("an image is still on ghcr.io")
	}
	if k := kinds(t, m.Objects); k[0] != "Namespace" {
		t.Errorf("first object is a %s, not the namespace", k[0])
	}
	// The JSON patches of config/crd landed.
	docs, err := splitDocs("crds", m.CRDs)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range docs {
		names = append(names, d.name)
		var crd map[string]any
		if err := yaml.Unmarshal(d.yaml, &crd); err != nil {
			t.Fatal(err)
		}
		props := dig(t, crd, "spec", "versions", 0, "schema", "openAPIV3Schema", "properties", "spec", "properties")
		switch d.name {
		case "scaledjobs.keda.sh":
			trig := dig(t, props, "triggers", "items", "properties").(map[string]any)
			if _, ok := trig["metricType"]; ok {
				t.Error("scaledjobs keeps triggers' metricType")
			}
			req := dig(t, props, "jobTargetRef", "properties", "template", "properties", "spec", "properties", "containers", "items", "properties", "ports", "items", "required").([]any)
			if req[len(req)-1] != "protocol" {
				t.Errorf("scaledjobs container ports required = %v, want protocol last", req)
			}
		case "scaledobjects.keda.sh":
			sw := dig(t, props, "advanced", "properties", "horizontalPodAutoscalerConfig", "properties", "behavior", "properties", "scaleDown", "properties", "stabilizationWindowSeconds").(map[string]any)
			if sw["maximum"] != 3600.0 || sw["minimum"] != 0.0 {
				t.Errorf("scaledobjects scaleDown window = %v", sw)
			}
		}
	}
	if len(names) != 6 {
		t.Errorf("CRDs = %v, want KEDA's 6", names)
	}
}

// kedaFiles is what config/default's bases list: a new KEDA that adds or
// drops a file fails here, not on the node.
func TestKEDAFilesAreTheDefaultOverlays(t *testing.T) {
	fsys := moduleFS(t, "github.com/kedacore/keda/v2", "v2.21.0")
	var k struct{ Resources []string }
	b, err := fs.ReadFile(fsys, "config/default/kustomization.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range k.Resources {
		var sub struct{ Resources []string }
		dir := path.Join("config/default", r)
		b, err := fs.ReadFile(fsys, path.Join(dir, "kustomization.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(b, &sub); err != nil {
			t.Fatal(err)
		}
		for _, f := range sub.Resources {
			want = append(want, path.Join(dir, f))
		}
	}
	if !reflect.DeepEqual(kedaFiles, want) {
		t.Errorf("kedaFiles = %v\nconfig/default lists %v", kedaFiles, want)
	}
}

func TestApplyOp(t *testing.T) {
	doc := func() any {
		return map[string]any{"a": map[string]any{"l": []any{"x", "y"}, "k": 1}}
	}
	for _, c := range []struct {
		op   jsonPatchOp
		want any
		err  string
	}{
		{jsonPatchOp{Op: "add", Path: "/a/l/-", Value: "z"}, map[string]any{"a": map[string]any{"l": []any{"x", "y", "z"}, "k": 1}}, ""},
		{jsonPatchOp{Op: "add", Path: "/a/l/0", Value: "w"}, map[string]any{"a": map[string]any{"l": []any{"w", "x", "y"}, "k": 1}}, ""},
		{jsonPatchOp{Op: "add", Path: "/a/n", Value: true}, map[string]any{"a": map[string]any{"l": []any{"x", "y"}, "k": 1, "n": true}}, ""},
		{jsonPatchOp{Op: "remove", Path: "/a/k"}, map[string]any{"a": map[string]any{"l": []any{"x", "y"}}}, ""},
		{jsonPatchOp{Op: "remove", Path: "/a/l/1"}, map[string]any{"a": map[string]any{"l": []any{"x"}, "k": 1}}, ""},
		{jsonPatchOp{Op: "remove", Path: "/a/missing"}, nil, `no key "missing"`},
		{jsonPatchOp{Op: "add", Path: "/b/c", Value: 1}, nil, `no key "b"`},
		{jsonPatchOp{Op: "add", Path: "/a/l/5", Value: 1}, nil, "bad array index"},
		{jsonPatchOp{Op: "add", Path: "/a/l/01", Value: 1}, nil, "bad array index"},
		{jsonPatchOp{Op: "replace", Path: "/a/k", Value: 2}, nil, "only add and remove"},
		{jsonPatchOp{Op: "add", Path: "a", Value: 2}, nil, "does not start with /"},
	} {
		got, err := applyOp(doc(), c.op)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: error = %v, want %q", c.op, err, c.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("%+v = %v, %v; want %v", c.op, got, err, c.want)
		}
	}
}

func TestKEDAKoImagesRefusesOtherImages(t *testing.T) {
	y := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: docker.io/evil/miner:1\n        command: [/keda]\n")
	if _, err := kedaKoImages(y); err == nil || !strings.Contains(err.Error(), "none of KEDA's") {
		t.Errorf("error = %v", err)
	}
}

// dig walks maps by key and lists by index.
func dig(t *testing.T, v any, path ...any) any {
	t.Helper()
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				t.Fatalf("dig %v: %q of a %T", path, k, v)
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				t.Fatalf("dig %v: [%d] of a %T", path, k, v)
			}
			v = l[k]
		}
	}
	return v
}
