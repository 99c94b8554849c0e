package cluster

import (
	"os"
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

// A rendered addon is keyed by the images ko builds: the daprd sidecar
// image (by digest in the YAML) or a value the chart renders changes the
// YAML, not the key; another ko:// reference does.
func TestRenderedAddonKey(t *testing.T) {
	if _, err := moduleDir(kedaAddon.module, kedaAddon.version, kedaAddon.noSumDB); err != nil {
		t.Skipf("%v", err)
	}
	a, err := withRendered(Options{}, &state{}, kedaAddon, "unused")
	if err != nil {
		t.Fatal(err)
	}
	crds, _, err := crdsOf([]byte(a.manifest))
	if err != nil {
		t.Fatal(err)
	}
	if a.files != nil || !strings.HasPrefix(a.manifest, "---\n# Source: config/crd/") || !strings.Contains(a.manifest, strings.Trim(string(crds), "\n")[:200]) {
		t.Fatalf("rendered KEDA: files %v, manifest starting %.120q", a.files, a.manifest)
	}
	if got := koRefs(a.manifest); !reflect.DeepEqual(got, []string{"ko://github.com/kedacore/keda/v2/cmd/adapter",
		"ko://github.com/kedacore/keda/v2/cmd/operator", "ko://github.com/kedacore/keda/v2/cmd/webhooks"}) {
		t.Errorf("KEDA's ko references = %v", got)
	}
	bases := koBases{def: koBase{repo: "r/kiln/stack/run-static", digest: "sha256:aa"}}
	key := koKey(a, bases, "r")
	b := a
	b.manifest = strings.Replace(a.manifest, "--zap-log-level=info", "--zap-log-level=debug", 1)
	c := a
	c.manifest = a.manifest + "---\nimage: ko://github.com/kedacore/keda/v2/cmd/other\n"
	if b.manifest == a.manifest || koKey(b, bases, "r") != key {
		t.Error("a flag in the rendered YAML changed the key")
	}
	if koKey(c, bases, "r") == key {
		t.Error("another ko:// reference kept the key")
	}
	if _, err := withRendered(Options{}, &state{}, redisAddon, "unused"); err == nil {
		t.Error("an addon that is not rendered was rendered")
	}
}
