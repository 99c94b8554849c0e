package clusteraddons

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// KEDANamespace is where KEDA's config/ puts everything (kube-system gets
// one RoleBinding: the metrics apiserver reads the apiserver's
// authentication config there).
const KEDANamespace = "keda"

// kedaFiles are the resources config/default lists (through its bases), in
// its order; TestKEDAFilesAreTheDefaultOverlays checks them against the
// module's kustomization files.
var kedaFiles = []string{
	"config/crd/bases/keda.sh_scaledobjects.yaml", "config/crd/bases/keda.sh_scaledjobs.yaml",
	"config/crd/bases/keda.sh_triggerauthentications.yaml", "config/crd/bases/keda.sh_clustertriggerauthentications.yaml",
	"config/crd/bases/eventing.keda.sh_cloudeventsources.yaml", "config/crd/bases/eventing.keda.sh_clustercloudeventsources.yaml",
	"config/general/namespace.yaml",
	"config/rbac/role.yaml", "config/rbac/role_binding.yaml", "config/rbac/aggregate_cluster_roles.yaml",
	"config/manager/manager.yaml", "config/manager/service.yaml",
	"config/metrics-server/role.yaml", "config/metrics-server/role_binding.yaml", "config/metrics-server/deployment.yaml",
	"config/metrics-server/service.yaml", "config/metrics-server/api_service.yaml",
	"config/service_account/service_account.yaml",
	"config/webhooks/webhooks.yaml", "config/webhooks/service.yaml", "config/webhooks/validation_webhooks.yaml",
}

// kedaCRDPatches are config/crd's JSON patches, by CRD name.
var kedaCRDPatches = map[string]string{
	"scaledjobs.keda.sh":    "config/crd/patches/scaledjob_patch.yaml",
	"scaledobjects.keda.sh": "config/crd/patches/scaledobject_patch.yaml",
}

// kedaImage is one of KEDA's images: the ghcr.io repository config/ names,
// the command its Dockerfile puts the binary at, and the main package ko
// builds instead.
type kedaImage struct{ repo, command, ko string }

var kedaImages = []kedaImage{
	{"ghcr.io/kedacore/keda", "/keda", "ko://github.com/kedacore/keda/v2/cmd/operator"},
	{"ghcr.io/kedacore/keda-metrics-apiserver", "/keda-adapter", "ko://github.com/kedacore/keda/v2/cmd/adapter"},
	{"ghcr.io/kedacore/keda-admission-webhooks", "/keda-admission-webhooks", "ko://github.com/kedacore/keda/v2/cmd/webhooks"},
}

// RenderKEDA reads KEDA's default install from the module (moduleFS is
// its root) as config/default would build it, with each ghcr.io image
// replaced by its ko:// reference and /ko-app/<name> as the command. Not
// kept from kustomize: the cosmetic labels config/default and config/rbac
// add (app.kubernetes.io/version: main, part-of) — no selector uses them.
func RenderKEDA(moduleFS fs.FS) (Manifests, error) {
	var crds, objs []doc
	for _, f := range kedaFiles {
		b, err := readChartFile(moduleFS, f)
		if err != nil {
			return Manifests{}, fmt.Errorf("clusteraddons: keda: %w", err)
		}
		docs, err := splitDocs(f, b)
		if err != nil {
			return Manifests{}, err
		}
		for _, d := range docs {
			switch d.kind {
			case "CustomResourceDefinition":
				if p, ok := kedaCRDPatches[d.name]; ok {
					if d.yaml, err = patchDoc(moduleFS, p, d.yaml); err != nil {
						return Manifests{}, err
					}
				}
				crds = append(crds, d)
			case "Deployment":
				if d.yaml, err = kedaKoImages(d.yaml); err != nil {
					return Manifests{}, fmt.Errorf("clusteraddons: %s: deployment %s: %w", f, d.name, err)
				}
				objs = append(objs, d)
			default:
				objs = append(objs, d)
			}
		}
	}
	sortInstallOrder(objs)
	return Manifests{CRDs: stream(crds), Objects: stream(objs)}, nil
}

// kedaKoImages puts the ko:// reference and /ko-app/<name> in every
// container of a Deployment that runs one of KEDA's images; any other
// image is an error (it could not be pulled on the node).
func kedaKoImages(y []byte) ([]byte, error) {
	m, cs, err := podContainers(y)
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("no containers")
	}
	for _, c := range cs {
		c, _ := c.(map[string]any)
		img, _ := c["image"].(string)
		repo, _, _ := strings.Cut(img, "@")
		if i := strings.LastIndex(repo, ":"); i > strings.LastIndex(repo, "/") {
			repo = repo[:i]
		}
		var k *kedaImage
		for i := range kedaImages {
			if kedaImages[i].repo == repo {
				k = &kedaImages[i]
			}
		}
		if k == nil {
			return nil, fmt.Errorf("container %v: image %q is none of KEDA's (the module changed its images)", c["name"], img)
		}
		cmd, _ := c["command"].([]any)
		if len(cmd) != 1 || cmd[0] != k.command {
			return nil, fmt.Errorf("container %v runs %v, not %s: the module changed where its binary lives", c["name"], cmd, k.command)
		}
		c["image"] = k.ko
		c["command"] = []any{"/ko-app/" + path.Base(k.ko)}
	}
	return yaml.Marshal(m)
}

// jsonPatchOp is one operation of an RFC 6902 patch; KEDA's use add and
// remove only, which is all patchDoc does.
type jsonPatchOp struct {
	Op    string `json:"op"`
	Path  string `json:"path"`
	Value any    `json:"value"`
}

// patchDoc applies the JSON patch file p (YAML) to the object y.
func patchDoc(fsys fs.FS, p string, y []byte) ([]byte, error) {
	b, err := readChartFile(fsys, p)
	if err != nil {
		return nil, fmt.Errorf("clusteraddons: keda: %w", err)
	}
	var ops []jsonPatchOp
	if err := yaml.Unmarshal([]byte(strings.TrimPrefix(strings.TrimSpace(string(b)), "---")), &ops); err != nil {
		return nil, fmt.Errorf("clusteraddons: %s: %w", p, err)
	}
	var obj any
	if err := yaml.Unmarshal(y, &obj); err != nil {
		return nil, err
	}
	for i, op := range ops {
		if obj, err = applyOp(obj, op); err != nil {
			return nil, fmt.Errorf("clusteraddons: %s: operation %d (%s %s): %w", p, i+1, op.Op, op.Path, err)
		}
	}
	return yaml.Marshal(obj)
}

// applyOp applies one add or remove. add to an array index or "-"
// inserts; add to an object key sets it; remove deletes the key or
// element, which must exist.
func applyOp(doc any, op jsonPatchOp) (any, error) {
	if op.Op != "add" && op.Op != "remove" {
		return nil, fmt.Errorf("operation %q: only add and remove are supported", op.Op)
	}
	if !strings.HasPrefix(op.Path, "/") {
		return nil, fmt.Errorf("path %q does not start with /", op.Path)
	}
	toks := strings.Split(op.Path[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return patchAt(doc, toks, op)
}

func patchAt(node any, toks []string, op jsonPatchOp) (any, error) {
	tok, last := toks[0], len(toks) == 1
	switch n := node.(type) {
	case map[string]any:
		if last {
			if op.Op == "add" {
				n[tok] = op.Value
				return n, nil
			}
			if _, ok := n[tok]; !ok {
				return nil, fmt.Errorf("remove: no key %q", tok)
			}
			delete(n, tok)
			return n, nil
		}
		child, ok := n[tok]
		if !ok {
			return nil, fmt.Errorf("no key %q", tok)
		}
		c, err := patchAt(child, toks[1:], op)
		if err != nil {
			return nil, err
		}
		n[tok] = c
		return n, nil
	case []any:
		idx := len(n)
		if tok != "-" {
			if _, err := fmt.Sscanf(tok, "%d", &idx); err != nil || idx < 0 || idx > len(n) || fmt.Sprint(idx) != tok {
				return nil, fmt.Errorf("bad array index %q", tok)
			}
		}
		if last {
			if op.Op == "add" {
				return append(n[:idx:idx], append([]any{op.Value}, n[idx:]...)...), nil
			}
			if idx >= len(n) {
				return nil, fmt.Errorf("remove: no element %q", tok)
			}
			return append(n[:idx:idx], n[idx+1:]...), nil
		}
		if idx >= len(n) {
			return nil, fmt.Errorf("no element %q", tok)
		}
		c, err := patchAt(n[idx], toks[1:], op)
		if err != nil {
			return nil, err
		}
		n[idx] = c
		return n, nil
	}
	return nil, fmt.Errorf("%q: not an object or array", tok)
}
