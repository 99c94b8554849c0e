package publish

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// ControllerImageName is the image name controller/config's manager uses
// (and its kustomization.yaml rewrites).
const ControllerImageName = "kiln-controller"

// BuilderLanguages is the controller's spec.build.language of each builder
// kiln publish makes (builders/node is nodejs).
var BuilderLanguages = map[string]string{"go": "go", "node": "nodejs", "python": "python", "java": "java"}

// writeConfig copies controller/config to dir and pins it to the release:
// its kustomization.yaml names the controller image by digest, the
// manager's --default-builder (Go's) and --builder LANGUAGE=IMAGE for the
// other builders published (others, by builder name) by digest (a JSON
// patch appends the flags; the last one wins).
func writeConfig(src, dir string, controller, defaultBuilder Artifact, others map[string]Artifact) (*Config, error) {
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	base := filepath.Join(src, "controller", "config")
	err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(base, p)
		if d.IsDir() {
			if rel == "samples" {
				return filepath.SkipDir
			}
			return os.MkdirAll(filepath.Join(dir, rel), 0o755)
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only regular files are copied", p)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		return nil, fmt.Errorf("copying controller/config: %w", err)
	}
	kpath := filepath.Join(dir, "kustomization.yaml")
	in, err := os.ReadFile(kpath)
	if err != nil {
		return nil, err
	}
	out, err := pinKustomization(in, controller, defaultBuilder, others)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(base, "kustomization.yaml"), err)
	}
	if err := os.WriteFile(kpath, out, 0o644); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(out)
	return &Config{Dir: dir, ControllerImage: controller.Reference, DefaultBuilder: defaultBuilder.Reference, KustomizationSHA256: hex.EncodeToString(sum[:])}, nil
}

// pinKustomization rewrites a kustomization: the kiln-controller image entry
// by digest, plus a patch pinning --default-builder and --builder per
// language of the others.
func pinKustomization(in []byte, controller, defaultBuilder Artifact, others map[string]Artifact) ([]byte, error) {
	var k map[string]any
	if err := yaml.Unmarshal(in, &k); err != nil {
		return nil, err
	}
	images, _ := k["images"].([]any)
	found := false
	for i, im := range images {
		m, ok := im.(map[string]any)
		if ok && m["name"] == ControllerImageName {
			images[i] = map[string]any{"name": ControllerImageName, "newName": controller.Repository, "digest": controller.Digest}
			found = true
		}
	}
	if !found {
		images = append(images, map[string]any{"name": ControllerImageName, "newName": controller.Repository, "digest": controller.Digest})
	}
	k["images"] = images
	args := []string{"--default-builder=" + defaultBuilder.Reference}
	names := make([]string, 0, len(others))
	for n := range others {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		lang, ok := BuilderLanguages[n]
		if !ok {
			return nil, fmt.Errorf("builder %s: no spec.build.language for it (BuilderLanguages)", n)
		}
		args = append(args, "--builder="+lang+"="+others[n].Reference)
	}
	var ops []string
	for _, a := range args {
		ops = append(ops, "- op: add", "  path: /spec/template/spec/containers/0/args/-", "  value: "+a)
	}
	patch := strings.Join(ops, "\n") + "\n"
	patches, _ := k["patches"].([]any)
	k["patches"] = append(patches, map[string]any{
		"target": map[string]any{"kind": "Deployment", "name": "kiln-controller"},
		"patch":  patch,
	})
	body, err := yaml.Marshal(k)
	if err != nil {
		return nil, err
	}
	return append([]byte("# Kiln's controller pinned to a release by `kiln publish`: kubectl apply -k <this dir>\n"), body...), nil
}
