package cluster

import (
	"archive/tar"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"sigs.k8s.io/yaml"
)

const kustomized = `apiVersion: v1
kind: Namespace
metadata:
  name: kiln
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: kiln-controller
  namespace: kiln
spec:
  template:
    spec:
      containers:
      - args:
        - --leader-elect
        - --builder=go=ghcr.io/kiln-dev/kiln/builder-go:latest
        image: ghcr.io/kiln-dev/kiln-controller:latest
        name: manager
`

// The manager runs the node's image and its builders' flags come last
// (the last flag for a language wins); the other documents stay.
func TestPinManager(t *testing.T) {
	out, err := pinManager([]byte(kustomized), "172.31.254.1:5000/kiln/kiln-controller@sha256:aa",
		map[string]string{"go": "R/kiln/builder-go@sha256:bb", "python": "R/kiln/builder-python@sha256:cc"})
	if err != nil {
		t.Fatal(err)
	}
	docs := yamlDocSep.Split(string(out), -1)
	if !strings.Contains(string(out), "kind: Namespace") {
		t.Fatalf("the Namespace is gone:\n%s", out)
	}
	var d map[string]any
	if err := yaml.Unmarshal([]byte(docs[len(docs)-1]), &d); err != nil {
		t.Fatal(err)
	}
	c, err := managerContainer(d)
	if err != nil {
		t.Fatal(err)
	}
	if c["image"] != "172.31.254.1:5000/kiln/kiln-controller@sha256:aa" {
		t.Errorf("image = %v", c["image"])
	}
	var args []string
	for _, a := range c["args"].([]any) {
		args = append(args, a.(string))
	}
	want := []string{"--leader-elect", "--builder=go=ghcr.io/kiln-dev/kiln/builder-go:latest",
		"--builder=go=R/kiln/builder-go@sha256:bb", "--builder=python=R/kiln/builder-python@sha256:cc"}
	if !slices.Equal(args, want) {
		t.Errorf("args = %q, want %q", args, want)
	}
	if _, err := pinManager([]byte("apiVersion: v1\nkind: Namespace\nmetadata: {name: kiln}\n"), "x", nil); err == nil {
		t.Error("a config without the manager Deployment was taken")
	}
}

// A builder's run images move into the node registry: label, run.toml
// (a new top layer) and the insecure-registry env; the old registry is
// gone from all three.
func TestRelocateBuilder(t *testing.T) {
	md := `{"stack":{"runImage":{"image":""}},"images":[{"image":"127.0.0.1:34053/kiln/stack/run-static:bookworm","mirrors":["m.example/x:y"]}]}`
	cf, err := empty.Image.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.Config.Labels = map[string]string{builderMetadataLabel: md}
	cf.Config.Env = []string{"PATH=/bin", "CNB_INSECURE_REGISTRIES=old"}
	base, err := mutate.ConfigFile(empty.Image, cf)
	if err != nil {
		t.Fatal(err)
	}
	repos, img, err := relocateBuilder(base, "172.31.254.1:5000")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(repos, []string{"kiln/stack/run-static:bookworm"}) {
		t.Errorf("run images = %q", repos)
	}
	got, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	var m struct{ Images []struct{ Image string } }
	if err := json.Unmarshal([]byte(got.Config.Labels[builderMetadataLabel]), &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Images) != 1 || m.Images[0].Image != "172.31.254.1:5000/kiln/stack/run-static:bookworm" {
		t.Errorf("label images = %+v", m.Images)
	}
	if !slices.Equal(got.Config.Env, []string{"PATH=/bin", "CNB_INSECURE_REGISTRIES=172.31.254.1:5000"}) {
		t.Errorf("env = %q", got.Config.Env)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 1 || len(got.RootFS.DiffIDs) != 1 {
		t.Fatalf("layers %d, diff_ids %d, %v: want the run.toml layer", len(layers), len(got.RootFS.DiffIDs), err)
	}
	b := layerFile(t, layers[0], "cnb/run.toml")
	if want := "[[images]]\n  image = \"172.31.254.1:5000/kiln/stack/run-static:bookworm\"\n  mirrors = []\n"; string(b) != want {
		t.Errorf("run.toml = %q, want %q", b, want)
	}
	// Not a builder: said so.
	if _, _, err := relocateBuilder(empty.Image, "r:1"); err == nil || !strings.Contains(err.Error(), "builder") {
		t.Errorf("relocating an image without the builder label: %v", err)
	}
}

func TestFindKilnSource(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module kiln.dev/kiln\n\ngo 1.26.0\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "samples", "go", "hello")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	// A nested module is not Kiln's source.
	if err := os.WriteFile(filepath.Join(sub, "go.mod"), []byte("module example.com/hello\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := FindKilnSource(sub); got != root {
		t.Errorf("FindKilnSource(%s) = %q, want %q", sub, got, root)
	}
	if got := FindKilnSource(t.TempDir()); got != "" {
		t.Errorf("FindKilnSource outside a checkout = %q", got)
	}
}

// layerFile is the content of path in layer.
func layerFile(t *testing.T, layer v1.Layer, path string) []byte {
	t.Helper()
	rc, err := layer.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err != nil {
			t.Fatalf("%s not in the layer: %v", path, err)
		}
		if h.Name == path {
			b, err := io.ReadAll(tr)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
}

// The Gateway config points at the node's Gateway and domain, and the
// Gateway (Traefik's class, on the ingress port) comes with it.
func TestPinGateway(t *testing.T) {
	config := kustomized + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: kiln, namespace: kiln}\ndata:\n  domain: fn.example.com\n  gatewayName: elsewhere\n  pathTemplate: /{{.Namespace}}/{{.Name}}\n"
	out, err := pinGateway([]byte(config))
	if err != nil {
		t.Fatal(err)
	}
	docs := yamlDocSep.Split(string(out), -1)
	var cm, gw map[string]any
	if err := yaml.Unmarshal([]byte(docs[len(docs)-2]), &cm); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal([]byte(docs[len(docs)-1]), &gw); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"domain": "fn.localhost", "gatewayName": "kiln-gateway", "gatewayNamespace": "kiln",
		"gatewayListener": "web", "pathTemplate": "/{{.Namespace}}/{{.Name}}"}
	if got := cm["data"]; !reflect.DeepEqual(got, want) {
		t.Errorf("Gateway config data = %v, want %v", got, want)
	}
	if gw["kind"] != "Gateway" || nested(gw, "spec", "gatewayClassName") != "traefik" || !strings.Contains(docs[len(docs)-1], "port: "+ingressPortVar) {
		t.Errorf("Gateway:\n%s", docs[len(docs)-1])
	}
	if !strings.Contains(string(out), "kind: Deployment") {
		t.Errorf("the other documents are gone:\n%s", out)
	}
	if _, err := pinGateway([]byte(kustomized)); err == nil || !strings.Contains(err.Error(), "controller/config/gateway") {
		t.Errorf("a config without the Gateway config: %v", err)
	}
}
