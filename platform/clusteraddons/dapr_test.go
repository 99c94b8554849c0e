package clusteraddons

import (
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// The install Kiln renders from Dapr v1.14.0's chart, pinned: any change
// to the renderer, Kiln's values or the fixes shows up here as a diff to
// review.
func TestRenderDaprGolden(t *testing.T) {
	m, err := RenderDapr(moduleFS(t, "github.com/dapr/dapr", "v1.14.0"), KoDaprImages("registry.test/kiln/cluster/dapr/daprd@sha256:"+strings.Repeat("a", 64)), "1.14.0")
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "dapr-v1.14.0.crds.yaml", m.CRDs)
	golden(t, "dapr-v1.14.0.objects.yaml", m.Objects)
	// What the install needs, said outright (the goldens are long).
	objs := string(m.Objects)
	for _, want := range []string{
		"image: ko://github.com/dapr/dapr/cmd/operator", "image: ko://github.com/dapr/dapr/cmd/sentry",
		"image: ko://github.com/dapr/dapr/cmd/injector", "- /ko-app/operator", "- /ko-app/sentry", "- /ko-app/injector",
		"value: registry.test/kiln/cluster/dapr/daprd@sha256:", "name: ACTORS_ENABLED\n          value: \"false\"",
		"kind: MutatingWebhookConfiguration", "kind: Configuration", "name: daprsystem", "kind: Namespace\nmetadata:\n  name: dapr-system",
	} {
		if !strings.Contains(objs, want) {
			t.Errorf("the objects lack %q", want)
		}
	}
	for _, not := range []string{"dapr-placement-server\n", "replicas: 3"} {
		if strings.Contains(objs, not) {
			t.Errorf("the objects contain %q", not)
		}
	}
	// The one ghcr.io image is the scheduler's, in a StatefulSet of no
	// replicas that the injector needs to find (dapr.go).
	if n := strings.Count(objs, "ghcr.io"); n != 1 || !strings.Contains(objs, "image: \"ghcr.io/dapr/scheduler:1.14.0\"") {
		t.Errorf("ghcr.io appears %d times", n)
	}
	_, sched, ok := strings.Cut(objs, "kind: StatefulSet\nmetadata:\n  name: dapr-scheduler-server")
	if !ok {
		t.Error("no scheduler StatefulSet: v1.14.0's injector waits for it before serving")
	} else if sched, _, _ = strings.Cut(sched, "\n---"); !strings.Contains(sched, "\n  replicas: 0\n") {
		t.Error("the scheduler StatefulSet has replicas")
	}
	for _, kind := range kinds(t, m.CRDs) {
		if kind != "CustomResourceDefinition" {
			t.Errorf("a %s among the CRDs", kind)
		}
	}
}

func TestRenderDaprRefusesShortImageNames(t *testing.T) {
	img := KoDaprImages("daprd") // the chart would make it ghcr.io/dapr/daprd
	if _, err := RenderDapr(nil, img, "1.14.0"); err == nil || !strings.Contains(err.Error(), `daprd image "daprd"`) {
		t.Errorf("error = %v", err)
	}
}

// koCommands moves the chart's /<name> to ko's /ko-app/<name>, and
// refuses a chart whose command is not the binary the image is built from.
func TestKoCommands(t *testing.T) {
	dep := func(img, cmd string) []byte {
		return []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      containers:\n      - name: c\n        image: " + img + "\n        command: [\"" + cmd + "\"]\n        args: [\"--x\"]\n")
	}
	got, err := koCommands(dep("ko://github.com/dapr/dapr/cmd/sentry", "/sentry"))
	if err != nil || !strings.Contains(string(got), "- /ko-app/sentry") || !strings.Contains(string(got), "- --x") {
		t.Errorf("koCommands = %s, %v", got, err)
	}
	if _, err := koCommands(dep("ko://github.com/dapr/dapr/cmd/sentry", "/operator")); err == nil {
		t.Error("a command that is not the image's binary was accepted")
	}
	if got, err := koCommands(dep("registry.test/x:1", "/x")); err != nil || strings.Contains(string(got), "ko-app") {
		t.Errorf("a non-ko image was changed: %s, %v", got, err)
	}
}

func kinds(t *testing.T, stream []byte) []string {
	t.Helper()
	docs, err := splitDocs("test", stream)
	if err != nil {
		t.Fatal(err)
	}
	var k []string
	for _, d := range docs {
		var m struct{ Kind string }
		if err := yaml.Unmarshal(d.yaml, &m); err != nil {
			t.Fatal(err)
		}
		k = append(k, m.Kind)
	}
	return k
}
