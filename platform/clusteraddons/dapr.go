package clusteraddons

import (
	"fmt"
	"io/fs"
	"path"
	"strings"

	"sigs.k8s.io/yaml"
)

// DaprNamespace is where Dapr's control plane runs (the chart's and
// `dapr init -k`'s default); the injector, sentry and operator look for
// each other there.
const DaprNamespace = "dapr-system"

// DaprImages are the images of Dapr's control plane and of the sidecar the
// injector adds: ko:// references before ko resolves them, or refs.
type DaprImages struct {
	Operator, Injector, Sentry, Daprd string
}

// KoDaprImages are the ko:// references of the control plane, built from
// the dapr module; daprd is Kiln's own (platform/tools/daprd, the
// components Kiln registers), since dapr's cmd/daprd does not start
// without a components build tag that compiles all of components-contrib.
func KoDaprImages(daprd string) DaprImages {
	return DaprImages{
		Operator: "ko://github.com/dapr/dapr/cmd/operator",
		Injector: "ko://github.com/dapr/dapr/cmd/injector",
		Sentry:   "ko://github.com/dapr/dapr/cmd/sentry",
		Daprd:    daprd,
	}
}

// DaprValues are Kiln's values for charts/dapr (what `helm install -f`
// would be given), for one node:
//
//   - images: every one named in full (a name with a "/" is taken as is
//     by the chart), never ghcr.io;
//   - no HA, one replica of each (the chart's default without HA);
//   - no actors and no scheduler: bindings and pub/sub, all Kiln's async
//     functions use, need neither placement nor the scheduler; placement is
//     not rendered and the scheduler's StatefulSet gets 0 replicas (see
//     fixDaprObjects), and the injector tells sidecars of neither;
//   - mTLS on, the default: the injector and the operator get their own
//     serving certificates from sentry whatever global.mtls.enabled says
//     (they ask sentry with mTLS hard-wired on in v1.14.0), so sentry runs
//     either way, and daprd talks to the operator over mTLS;
//   - no Prometheus ports: nothing on the node scrapes them;
//   - the injector's webhook keeps the chart's failurePolicy Ignore: a pod
//     created while the injector is down runs without a sidecar rather
//     than being refused.
func DaprValues(img DaprImages, version string) map[string]any {
	return map[string]any{
		"global": map[string]any{
			"tag":        version,
			"ha":         map[string]any{"enabled": false},
			"actors":     map[string]any{"enabled": false},
			"scheduler":  map[string]any{"enabled": false},
			"prometheus": map[string]any{"enabled": false},
			"k8sLabels":  map[string]any{"app.kubernetes.io/managed-by": "kiln"},
		},
		"dapr_operator":         map[string]any{"image": map[string]any{"name": img.Operator}},
		"dapr_sentry":           map[string]any{"image": map[string]any{"name": img.Sentry}},
		"dapr_sidecar_injector": map[string]any{"injectorImage": map[string]any{"name": img.Injector}, "image": map[string]any{"name": img.Daprd}},
	}
}

// RenderDapr renders charts/dapr of the dapr module (moduleFS is the
// module's root) into Kiln's install of Dapr's control plane: the chart's
// CRDs, then its namespace (Helm's --create-namespace) and objects.
func RenderDapr(moduleFS fs.FS, img DaprImages, version string) (Manifests, error) {
	for what, ref := range map[string]string{"operator": img.Operator, "injector": img.Injector, "sentry": img.Sentry, "daprd": img.Daprd} {
		if !fullImage(ref) {
			return Manifests{}, fmt.Errorf("clusteraddons: dapr %s image %q: want a full reference (ko://… or registry/repo…)", what, ref)
		}
	}
	crds, objs, err := renderChart(moduleFS, "charts/dapr", DaprValues(img, version), Release{Name: "dapr", Namespace: DaprNamespace})
	if err != nil {
		return Manifests{}, err
	}
	objs, err = fixDaprObjects(objs)
	if err != nil {
		return Manifests{}, err
	}
	ns := doc{source: "kiln (helm --create-namespace)", kind: "Namespace", name: DaprNamespace,
		yaml: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: " + DaprNamespace + "\n")}
	return Manifests{CRDs: stream(crds), Objects: stream(append([]doc{ns}, objs...))}, nil
}

// fullImage: the chart takes a name containing "/" as a full reference;
// anything else it would prefix with ghcr.io/dapr.
func fullImage(ref string) bool {
	for _, c := range ref {
		if c == '/' {
			return true
		}
	}
	return false
}

// fixDaprObjects makes the change to the chart's output that values
// cannot: the chart starts each control plane binary as /<name> (Dapr's
// images have it there); ko puts a binary at /ko-app/<name>, so a
// container whose image is a ko:// reference gets that command (the
// chart's args stay).
//
// The scheduler's StatefulSet stays, with the 0 replicas the chart gives it
// when global.scheduler.enabled is false (so no pod, no volume): v1.14.0's
// injector waits, before it serves, until that StatefulSet exists, and
// tells sidecars of a scheduler only when it has replicas. Its image is the
// chart's (ghcr.io), never pulled at 0 replicas.
func fixDaprObjects(objs []doc) ([]doc, error) {
	var out []doc
	for _, d := range objs {
		if d.kind == "Deployment" {
			y, err := koCommands(d.yaml)
			if err != nil {
				return nil, fmt.Errorf("clusteraddons: %s: deployment %s: %w", d.source, d.name, err)
			}
			d.yaml = y
		}
		out = append(out, d)
	}
	return out, nil
}

// koCommands rewrites command ["/<name>"] to ["/ko-app/<name>"] in the
// containers of a Deployment whose image is ko://…/<name>.
func koCommands(y []byte) ([]byte, error) {
	m, cs, err := podContainers(y)
	if err != nil {
		return nil, err
	}
	changed := false
	for _, c := range cs {
		c, _ := c.(map[string]any)
		img, _ := c["image"].(string)
		cmd, _ := c["command"].([]any)
		if !strings.HasPrefix(img, "ko://") || len(cmd) != 1 {
			continue
		}
		bin := path.Base(img)
		if cmd[0] != "/"+bin {
			return nil, fmt.Errorf("container %v runs %v, not /%s: the chart changed, check where its binary lives", c["name"], cmd[0], bin)
		}
		c["command"] = []any{"/ko-app/" + bin}
		changed = true
	}
	if !changed {
		return y, nil
	}
	return yaml.Marshal(m)
}

// podContainers parses a workload (Deployment, StatefulSet, …) and returns
// it with the containers of its pod template, which the caller may edit in
// place before marshalling the object again.
func podContainers(y []byte) (map[string]any, []any, error) {
	var m map[string]any
	if err := yaml.Unmarshal(y, &m); err != nil {
		return nil, nil, err
	}
	spec, _ := m["spec"].(map[string]any)
	tmpl, _ := spec["template"].(map[string]any)
	pspec, _ := tmpl["spec"].(map[string]any)
	cs, _ := pspec["containers"].([]any)
	return m, cs, nil
}
