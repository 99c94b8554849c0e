package cluster

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/platform/clusteraddons"
	"kiln.dev/kiln/platform/daprsidecar"
	"kiln.dev/kiln/platform/registry"
)

// The async addons: Dapr's control plane (sidecars for bindings and
// pub/sub) and KEDA (scaling on queue length, from and to zero).
const (
	AddonDapr = "dapr"
	AddonKEDA = "keda"
)

// Pinned releases. Dapr's control plane is the version of Kiln's daprd
// (the one `kiln run --dapr` runs and the injector injects), so sidecar
// and control plane always match.
const (
	daprModule  = "github.com/dapr/dapr"
	daprVersion = "v" + daprsidecar.Version
	kedaModule  = "github.com/kedacore/keda/v2"
	kedaVersion = "v2.21.0"
	// daprdRepo is where the sidecar image goes in kiln's registry.
	daprdRepo = "kiln/cluster/dapr/daprd"
)

// Dapr: the chart's CRDs, RBAC, sentry (the CA: the injector and the
// operator get their certificates from it whatever mTLS says), operator
// and sidecar injector; not placement (actors) or the scheduler (jobs,
// reminders), which bindings and pub/sub do not use. withRendered renders
// charts/dapr. Sidecars reach sentry and the operator by their Services'
// names: CoreDNS.
var daprAddon = addon{
	name: AddonDapr, module: daprModule, version: daprVersion,
	namespace:   clusteraddons.DaprNamespace,
	deployments: []string{"dapr-sentry", "dapr-operator", "dapr-sidecar-injector"},
	needs:       []string{AddonCoreDNS},
}

// KEDA: config/default's resources (CRDs, RBAC, operator, metrics
// apiserver, admission webhooks); the operator makes and rotates the
// certificates of the other two (--enable-cert-rotation, secret
// kedaorg-certs) and puts its CA in the APIService and the webhook config.
// withRendered renders config/default. The metrics apiserver reaches the
// operator by its Service's name (CoreDNS), and the kube-apiserver reaches
// the metrics apiserver through the aggregation layer (aggregationFlags).
var kedaAddon = addon{
	name: AddonKEDA, module: kedaModule, version: kedaVersion,
	namespace:   clusteraddons.KEDANamespace,
	deployments: []string{"keda-operator", "keda-metrics-apiserver", "keda-admission"},
	needs:       []string{AddonCoreDNS},
}

// asyncRendered says which addons are rendered (withRendered) rather
// than ko-resolved from files in their module.
func asyncRendered(a addon) bool { return a.name == AddonDapr || a.name == AddonKEDA }

// withRendered returns a with its install rendered into a.manifest (CRDs
// first, then the objects) and no files: from then on it is an addon
// whose YAML Kiln writes, so koKey keys it by the images ko builds (the
// ko:// references of the rendered YAML) and an image ko pushed before for
// the module version on the same base is adopted (pushedImages). For Dapr
// it first pushes the sidecar image (baseImage plus Kiln's daprd at
// /daprd) to kiln's registry; the manifest names it by digest, so a
// rebuilt daprd changes the YAML, not the key.
func withRendered(o Options, s *state, a addon, baseImage string) (addon, error) {
	dir, err := moduleDir(a.module, a.version, a.noSumDB)
	if err != nil {
		return a, err
	}
	var m clusteraddons.Manifests
	switch a.name {
	case AddonDapr:
		var daprd string
		if daprd, err = pushDaprdImage(o, s, baseImage); err != nil {
			return a, err
		}
		m, err = clusteraddons.RenderDapr(os.DirFS(dir), clusteraddons.KoDaprImages(daprd), daprsidecar.Version)
	case AddonKEDA:
		m, err = clusteraddons.RenderKEDA(os.DirFS(dir))
	default:
		return a, fmt.Errorf("cluster: addon %s is not rendered", a.name)
	}
	if err != nil {
		return a, err
	}
	a.manifest = string(append(append(m.CRDs, "---\n"...), m.Objects...))
	a.files = nil
	return a, nil
}

// pushDaprdImage pushes the sidecar image and returns its reference by
// digest (the registry is not asked to push what it has).
func pushDaprdImage(o Options, s *state, baseImage string) (string, error) {
	bin, err := daprsidecar.Find(o.Tools)
	if err != nil {
		return "", fmt.Errorf("cluster: dapr addon: %w", err)
	}
	br, err := name.ParseReference(baseImage, name.Insecure)
	if err != nil {
		return "", err
	}
	base, err := remote.Image(br)
	if err != nil {
		return "", fmt.Errorf("cluster: dapr addon: base image %s: %w", baseImage, err)
	}
	img, err := clusteraddons.DaprdImage(base, bin)
	if err != nil {
		return "", err
	}
	d, err := img.Digest()
	if err != nil {
		return "", err
	}
	ref := s.Registry + "/" + daprdRepo + "@" + d.String()
	r, err := name.ParseReference(s.Registry+"/"+daprdRepo+":"+daprVersion, name.Insecure)
	if err != nil {
		return "", err
	}
	if h, err := remote.Head(r); err == nil && h.Digest == d {
		return ref, nil
	}
	reg, err := registry.ServeDetached(o.RegistryDir, s.Registry, 0)
	if err != nil {
		return "", fmt.Errorf("cluster: kiln's registry (%s): %w", o.RegistryDir, err)
	}
	defer reg.Close()
	if err := remote.Write(r, img, reg.RemoteOptions()...); err != nil {
		return "", fmt.Errorf("cluster: pushing the daprd sidecar image to %s: %w", r, err)
	}
	return ref, nil
}

// crdsOf returns the CustomResourceDefinition documents of a YAML stream
// and their names: they are applied, and waited for, before the rest
// (Dapr's objects include a Configuration, one of its own kinds).
func crdsOf(stream []byte) ([]byte, []string, error) {
	var out bytes.Buffer
	var names []string
	for _, part := range yamlDocSep.Split(string(stream), -1) {
		var m struct {
			Kind     string `json:"kind"`
			Metadata struct {
				Name string `json:"name"`
			} `json:"metadata"`
		}
		if err := yaml.Unmarshal([]byte(part), &m); err != nil {
			return nil, nil, fmt.Errorf("cluster: a resolved addon document is not YAML: %w", err)
		}
		if m.Kind != "CustomResourceDefinition" {
			continue
		}
		if m.Metadata.Name == "" {
			return nil, nil, fmt.Errorf("cluster: a CustomResourceDefinition without a name in a resolved addon")
		}
		names = append(names, m.Metadata.Name)
		out.WriteString("---\n" + strings.Trim(part, "\n") + "\n")
	}
	return out.Bytes(), names, nil
}

var yamlDocSep = regexp.MustCompile(`(?m)^---[ \t]*$`)

// applyCRDsFirst applies an addon's CRDs, waits until the apiserver
// serves them (Established), then applies all of it.
func applyCRDsFirst(o Options, a *api, stream []byte) error {
	crds, names, err := crdsOf(stream)
	if err != nil {
		return err
	}
	if len(names) > 0 {
		if err := o.kubectl(crds, "apply", "--server-side", "--force-conflicts", "-f", "-"); err != nil {
			return err
		}
		err := poll("CRDs Established", 2*time.Minute, nil, func() (bool, error) {
			for _, n := range names {
				if ok, err := a.crdEstablished(n); !ok {
					return false, err
				}
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return o.kubectl(stream, "apply", "--server-side", "--force-conflicts", "-f", "-")
}

// crdEstablished: the CRD reports Established=True.
func (a *api) crdEstablished(name string) (bool, error) {
	var c struct {
		Status struct {
			Conditions []struct{ Type, Status string } `json:"conditions"`
		} `json:"status"`
	}
	if _, err := a.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"+name, &c); err != nil {
		return false, err
	}
	for _, cd := range c.Status.Conditions {
		if cd.Type == "Established" && cd.Status == "True" {
			return true, nil
		}
	}
	return false, fmt.Errorf("CRD %s not Established yet", name)
}
