package cluster

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
// reminders), which bindings and pub/sub do not use. files names the
// chart only for the cache key: renderAsync renders it.
var daprAddon = addon{
	name: AddonDapr, module: daprModule, version: daprVersion,
	files:       []string{"charts/dapr"},
	namespace:   clusteraddons.DaprNamespace,
	deployments: []string{"dapr-sentry", "dapr-operator", "dapr-sidecar-injector"},
}

// KEDA: config/default's resources (CRDs, RBAC, operator, metrics
// apiserver, admission webhooks); the operator makes and rotates the
// certificates of the other two (--enable-cert-rotation, secret
// kedaorg-certs) and puts its CA in the APIService and the webhook config.
var kedaAddon = addon{
	name: AddonKEDA, module: kedaModule, version: kedaVersion,
	files:       []string{"config/default"},
	namespace:   clusteraddons.KEDANamespace,
	deployments: []string{"keda-operator", "keda-metrics-apiserver", "keda-admission"},
}

// asyncRendered says which addons are rendered (renderAsync) rather than
// ko-resolved from files in their module.
func asyncRendered(a addon) bool { return a.name == AddonDapr || a.name == AddonKEDA }

// asyncKey is what, beyond koKey's inputs, decides an async addon's
// resolution: for Dapr, the daprd binary the sidecar image holds.
func asyncKey(o Options, a addon) (string, error) {
	if a.name != AddonDapr {
		return "", nil
	}
	bin, err := daprsidecar.Find(o.Tools)
	if err != nil {
		return "", fmt.Errorf("cluster: dapr addon: %w", err)
	}
	f, err := os.Open(bin)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("cluster: dapr addon: reading %s: %w", bin, err)
	}
	return " daprd sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// renderAsync writes the YAML ko resolves for an async addon into tmp and
// returns its path: CRDs first, then the objects. For Dapr it first
// pushes the sidecar image (baseImage plus Kiln's daprd at /daprd) to
// kiln's registry, by digest, for the injector to inject.
func renderAsync(o Options, s *state, a addon, moduleDir, baseImage, tmp string) (string, error) {
	var m clusteraddons.Manifests
	var err error
	switch a.name {
	case AddonDapr:
		var daprd string
		if daprd, err = pushDaprdImage(o, s, baseImage); err != nil {
			return "", err
		}
		m, err = clusteraddons.RenderDapr(os.DirFS(moduleDir), clusteraddons.KoDaprImages(daprd), daprsidecar.Version)
	case AddonKEDA:
		m, err = clusteraddons.RenderKEDA(os.DirFS(moduleDir))
	default:
		return "", fmt.Errorf("cluster: addon %s is not rendered", a.name)
	}
	if err != nil {
		return "", err
	}
	p := filepath.Join(tmp, a.name+"-rendered.yaml")
	return p, os.WriteFile(p, append(append(m.CRDs, "---\n"...), m.Objects...), 0o644)
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
