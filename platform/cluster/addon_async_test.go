package cluster

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/platform/clusteraddons"
)

func TestCRDsOf(t *testing.T) {
	stream := "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: a.example.com\n" +
		"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n" +
		"---\napiVersion: example.com/v1\nkind: A\nmetadata:\n  name: x\n---   \n" +
		"apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: b.example.com\n"
	crds, names, err := crdsOf([]byte(stream))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(names, []string{"a.example.com", "b.example.com"}) {
		t.Errorf("names = %v", names)
	}
	if strings.Contains(string(crds), "ConfigMap") || strings.Contains(string(crds), "kind: A\n") || strings.Count(string(crds), "kind: CustomResourceDefinition") != 2 {
		t.Errorf("crds = %s", crds)
	}
	if _, _, err := crdsOf([]byte("kind: CustomResourceDefinition\nmetadata: {}\n")); err == nil {
		t.Error("a nameless CRD was accepted")
	}
	if _, _, err := crdsOf([]byte("kind: [\n")); err == nil {
		t.Error("a document that is not YAML was accepted")
	}
}

// The deployments the install waits for are the ones the rendered
// manifests create, in the addon's namespace.
func TestAsyncAddonsWaitForWhatTheyInstall(t *testing.T) {
	for _, c := range []struct {
		a      addon
		render func(dir string) (clusteraddons.Manifests, error)
	}{
		{daprAddon, func(dir string) (clusteraddons.Manifests, error) {
			return clusteraddons.RenderDapr(os.DirFS(dir), clusteraddons.KoDaprImages("registry.test/daprd@sha256:"+strings.Repeat("a", 64)), "1.14.0")
		}},
		{kedaAddon, func(dir string) (clusteraddons.Manifests, error) { return clusteraddons.RenderKEDA(os.DirFS(dir)) }},
	} {
		dir, err := moduleDir(c.a.module, c.a.version, c.a.noSumDB)
		if err != nil {
			t.Skipf("%v", err)
		}
		m, err := c.render(dir)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, part := range yamlDocSep.Split(string(m.Objects), -1) {
			var o struct {
				Kind     string
				Metadata struct{ Name, Namespace string }
			}
			if err := yaml.Unmarshal([]byte(part), &o); err != nil {
				t.Fatal(err)
			}
			if o.Kind == "Deployment" {
				if o.Metadata.Namespace != c.a.namespace {
					t.Errorf("%s: deployment %s in namespace %q, not %q", c.a.name, o.Metadata.Name, o.Metadata.Namespace, c.a.namespace)
				}
				got = append(got, o.Metadata.Name)
			}
		}
		slices.Sort(got)
		want := slices.Sorted(slices.Values(c.a.deployments))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s renders deployments %v, the install waits for %v", c.a.name, got, want)
		}
	}
}

// The resolution of Dapr is keyed by the daprd binary the sidecar image
// holds: a rebuilt daprd is a new resolution.
func TestAsyncKeyCoversDaprd(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "daprd")
	t.Setenv("KILN_DAPRD", bin)
	key := func(body string) string {
		if err := os.WriteFile(bin, []byte(body), 0o755); err != nil {
			t.Fatal(err)
		}
		k, err := asyncKey(Options{}, daprAddon)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	a, b := key("daprd one"), key("daprd two")
	if a == b || a == "" {
		t.Errorf("keys %q and %q", a, b)
	}
	if k, err := asyncKey(Options{}, kedaAddon); k != "" || err != nil {
		t.Errorf("keda key = %q, %v", k, err)
	}
	os.Remove(bin)
	if _, err := asyncKey(Options{}, daprAddon); err == nil {
		t.Error("a missing daprd gave a key")
	}
}
