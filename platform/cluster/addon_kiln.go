package cluster

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/stacks"
)

// AddonKiln is Kiln's own controller on the node: `kiln cluster up --with
// kiln` (it brings shipwright and knative).
const AddonKiln = "kiln"

// kilnNamespace holds the controller (controller/config's namespace).
const kilnNamespace = "kiln"

// kilnAddon is not resolved by ko from a module: installKiln builds the
// controller from the Kiln source tree (Options.KilnSource), relocates the
// builders into the node registry and renders controller/config with
// kubectl kustomize (kilnManifests).
var kilnAddon = addon{
	name: AddonKiln, version: "controller and builder",
	namespace: kilnNamespace, deployments: []string{"kiln-controller"},
	needs: []string{AddonShipwright, AddonKnative},
}

// controllerRepo is where the controller image goes in the node registry,
// and controllerBinary where the binary is in it: kiln publish's name and
// path (publish.ControllerBinary; not imported, which would bring pack's
// dependencies into every importer of this package).
const (
	controllerRepo   = "kiln/kiln-controller"
	controllerBinary = "/usr/local/bin/kiln-controller"
)

// kilnManifests builds and pushes the controller image and the builders,
// and returns controller/config rendered for this node: the manager's
// image by digest in the node registry, one --builder LANGUAGE=IMAGE per
// builder found in kiln's registry (by digest, relocated), and the build
// cache volumes. built reports that the controller image was pushed.
func kilnManifests(o Options, s *state) (stream []byte, built bool, err error) {
	src := o.KilnSource
	if src == "" {
		return nil, false, fmt.Errorf("cluster: the kiln addon builds Kiln's controller from its source: run `kiln cluster up --with kiln` inside a Kiln checkout (no go.mod of module kiln.dev/kiln in the current directory or above)")
	}
	ctrl, built, err := pushControllerImage(o, s, src)
	if err != nil {
		return nil, false, err
	}
	builders, err := relocateBuilders(o, s)
	if err != nil {
		return nil, false, err
	}
	if _, ok := builders["go"]; !ok {
		return nil, false, fmt.Errorf("cluster: kiln addon: kiln/builder-go:latest is not in kiln's registry (%s): run `make builder` (or `kiln builder create`)", s.Registry)
	}
	out, err := o.kubectlOut("kustomize", filepath.Join(src, "controller", "config"))
	if err != nil {
		return nil, false, fmt.Errorf("cluster: kubectl kustomize %s: %w: %s", filepath.Join(src, "controller", "config"), err, tailString(out, 10))
	}
	stream, err = pinManager([]byte(out), ctrl, builders)
	if err != nil {
		return nil, false, err
	}
	if stream, err = pinGateway(stream); err != nil {
		return nil, false, err
	}
	vols, err := cacheVolumes(o, s)
	if err != nil {
		return nil, false, err
	}
	return append(stream, vols...), built, nil
}

// pushControllerImage builds controller/cmd/manager (go's build cache
// makes an unchanged source quick) and pushes it on the run-static image
// to the node registry, at controllerBinary as kiln publish lays
// it out; the same binary gives the same digest, which is not pushed again.
func pushControllerImage(o Options, s *state, src string) (ref string, pushed bool, err error) {
	tmp, err := os.MkdirTemp("", "kiln-controller-")
	if err != nil {
		return "", false, err
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, "kiln-controller")
	cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w", "-o", bin, "./controller/cmd/manager")
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH=amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", false, fmt.Errorf("cluster: kiln addon: go build ./controller/cmd/manager in %s: %w\n%s", src, err, tailString(string(out), 15))
	}
	b, err := os.ReadFile(bin)
	if err != nil {
		return "", false, err
	}
	baseRef, err := name.ParseReference(s.Registry+"/"+runStaticRepo, name.Insecure)
	if err != nil {
		return "", false, err
	}
	base, err := remote.Image(baseRef)
	if err != nil {
		return "", false, fmt.Errorf("cluster: kiln addon: the controller's base %s is not in kiln's registry (run `kiln stack build`): %w", baseRef, err)
	}
	img, err := stacks.BinaryImage(base, controllerBinary, b, "kiln cluster up --with kiln", nil)
	if err != nil {
		return "", false, err
	}
	d, err := img.Digest()
	if err != nil {
		return "", false, err
	}
	dst, err := name.ParseReference(s.nodeRegistry()+"/"+controllerRepo+":latest", name.Insecure)
	if err != nil {
		return "", false, err
	}
	ref = s.nodeRegistry() + "/" + controllerRepo + "@" + d.String()
	if h, err := remote.Head(dst); err == nil && h.Digest == d {
		return ref, false, nil
	}
	if err := remote.Write(dst, img); err != nil {
		return "", false, fmt.Errorf("cluster: kiln addon: pushing the controller image to %s: %w", dst, err)
	}
	return ref, true, nil
}

// kilnConfigSource names the rendered controller/config in editDoc's errors.
const kilnConfigSource = "kiln addon: controller/config"

// pinManager sets the kiln-controller Deployment's image to ctrl and
// appends --builder LANGUAGE=IMAGE for each builder (the last flag for a
// language wins, so these replace the config's ghcr.io defaults).
func pinManager(stream []byte, ctrl string, builders map[string]string) ([]byte, error) {
	return editDoc(stream, kilnConfigSource, func(m map[string]any) bool {
		return m["kind"] == "Deployment" && nested(m, "metadata", "name") == "kiln-controller"
	}, func(m map[string]any) error {
		c, err := managerContainer(m)
		if err != nil {
			return err
		}
		c["image"] = ctrl
		args, _ := c["args"].([]any)
		for _, lang := range builderLanguages {
			if ref, ok := builders[lang]; ok {
				args = append(args, "--builder="+lang+"="+ref)
			}
		}
		c["args"] = args
		return nil
	}, "Deployment kiln-controller")
}

// editDoc rewrites the documents of a YAML stream (what source names:
// the rendered controller/config, an addon's resolved manifests) that
// match with edit (re-marshalled), keeping the others as they are; it
// fails naming missing when none matches.
func editDoc(stream []byte, source string, match func(map[string]any) bool, edit func(map[string]any) error, missing string) ([]byte, error) {
	var out bytes.Buffer
	found := false
	for _, doc := range yamlDocSep.Split(string(stream), -1) {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			return nil, fmt.Errorf("cluster: %s: a document is not YAML: %w", source, err)
		}
		if match(m) {
			if err := edit(m); err != nil {
				return nil, err
			}
			b, err := yaml.Marshal(m)
			if err != nil {
				return nil, err
			}
			doc, found = string(b), true
		}
		out.WriteString("---\n" + strings.Trim(doc, "\n") + "\n")
	}
	if !found {
		return nil, fmt.Errorf("cluster: %s has no %s", source, missing)
	}
	return out.Bytes(), nil
}

// managerContainer is the Deployment's container named manager.
func managerContainer(d map[string]any) (map[string]any, error) {
	spec, _ := d["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	pod, _ := tmpl["spec"].(map[string]any)
	cs, _ := pod["containers"].([]any)
	for _, c := range cs {
		if m, ok := c.(map[string]any); ok && m["name"] == "manager" {
			return m, nil
		}
	}
	return nil, fmt.Errorf("cluster: kiln addon: the kiln-controller Deployment of controller/config has no container named manager")
}

func nested(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		mm, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = mm[k]
	}
	return v
}

// FindKilnSource is the Kiln source tree dir is in (the nearest go.mod of
// module kiln.dev/kiln at or above it), or "".
func FindKilnSource(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.HasPrefix(bytes.TrimSpace(b), []byte("module kiln.dev/kiln\n")) {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}
