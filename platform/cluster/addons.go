package cluster

import (
	"fmt"
	"slices"
	"strings"
)

// Addon names `kiln cluster up --with` accepts.
const (
	AddonCoreDNS    = "coredns"
	AddonTekton     = "tekton"
	AddonShipwright = "shipwright"
	AddonKnative    = "knative"
	AddonTraefik    = "traefik"
)

// Pinned addon releases. Shipwright Build v0.17.0 documents Tekton v0.65,
// v0.68, v1.0 and v1.3 as the releases it supports, builds against v1.3.1
// (its go.mod) and installs v1.3.1 in its README: that is the pair taken
// here (not Tekton v1.6.0, which Shipwright v0.17 does not list).
const (
	tektonModule     = "github.com/tektoncd/pipeline"
	tektonVersion    = "v1.3.1"
	shipwrightModule = "github.com/shipwright-io/build"
	shipwrightVer    = "v0.17.0"
	koVersion        = "0.18.1"
	// runStaticRepo is the base of every ko-built image: Kiln's run-static
	// stack image (`kiln stack build` pushes it).
	runStaticRepo = "kiln/stack/run-static:bookworm"
)

// addon is one component installed on the node from its Go module: the
// manifests under the module's dir that ko resolves (ko:// references
// built into images), then applied and waited for.
type addon struct {
	name            string
	module, version string
	// files are the manifests (files or dirs, relative to the module dir).
	files []string
	// namespace holds deployments, which must become Available.
	namespace   string
	deployments []string
	// needs are addons installed with it (in the list's order).
	needs []string
	// more are manifests of other modules: Knative's repo links them into
	// its config/ as symlinks, which module zips drop.
	more []moduleFiles
	// manifest is YAML Kiln writes for a module that ships none (CoreDNS,
	// Traefik), with ko:// references into the module; it may hold
	// ingressPortVar, replaced when applied (not cached per port).
	manifest string
	// noSumDB: the checksum database mirror here lacks the module's own
	// go.mod, so it is downloaded with GONOSUMDB=module.
	noSumDB bool
	// bases are the import paths ko builds on another image of kiln's
	// registry than run-static (repo:tag), for programs that need more at
	// run time than a static binary (kobases.go).
	bases map[string]string
	// edit rewrites the resolved YAML before it is applied (settings the
	// upstream manifests take from env; not part of the cached resolution).
	edit func([]byte) ([]byte, error)
	// config is applied server-side (field manager kiln-cluster) once the
	// deployments are Available: settings on top of the upstream config
	// maps, whose validating webhook must be up to take them.
	config string
}

// moduleFiles are manifests (relative to the module dir) of one module.
type moduleFiles struct {
	module, version string
	files           []string
}

// addons are the known addons in install order.
//
// Tekton: the core config (CRDs, RBAC, config maps, controller, webhook);
// not the events controller, the HPA of the webhook or the remote
// resolvers (nothing here resolves tasks from git, hub or bundles).
//
// CoreDNS: the cluster's DNS (kube-dns at clusterDNSIP), which the
// kubelet points every pod at.
//
// Shipwright: CRDs, RBAC and the build controller; not its conversion
// webhook, which only converts v1alpha1 objects to the stored v1beta1 (Kiln
// writes v1beta1, so the apiserver never calls it) and needs a serving
// certificate. Its git step is built on Kiln's git service image and run
// with Kiln's step template (shipwright_git.go), so Git sources clone.
//
// Knative Serving (knative.go), the Gateway API CRDs and Traefik, the
// ingress of both (traefik.go).
//
// Dapr's control plane and KEDA (addon_async.go), rendered from their
// modules' chart and kustomize bases, and a Redis for async functions
// (addon_redis.go), before Kiln's controller so it finds their APIs when
// it starts.
//
// Kiln's controller, its ClusterBuildStrategy and the builders
// (addon_kiln.go), built from the Kiln source tree, not a module.
var addons = []addon{
	corednsAddon,
	{
		name: AddonTekton, module: tektonModule, version: tektonVersion,
		files: []string{"config/100-namespace", "config/200-clusterrole.yaml", "config/200-role.yaml",
			"config/200-serviceaccount.yaml", "config/201-clusterrolebinding.yaml", "config/201-rolebinding.yaml",
			"config/300-crds", "config/500-webhooks.yaml", "config/clusterrole-aggregate-edit.yaml",
			"config/clusterrole-aggregate-view.yaml", "config/config-defaults.yaml", "config/config-events.yaml",
			"config/config-feature-flags.yaml", "config/config-info.yaml", "config/config-leader-election-controller.yaml",
			"config/config-leader-election-webhook.yaml", "config/config-logging.yaml", "config/config-observability.yaml",
			"config/config-registry-cert.yaml", "config/config-spire.yaml", "config/config-tracing.yaml",
			"config/config-wait-exponential-backoff.yaml", "config/controller.yaml", "config/webhook.yaml"},
		namespace:   "tekton-pipelines",
		deployments: []string{"tekton-pipelines-controller", "tekton-pipelines-webhook"},
		// Build pods resolve names (module proxies, git hosts) through the
		// kubelet's clusterDNS.
		needs: []string{AddonCoreDNS},
	},
	{
		name: AddonShipwright, module: shipwrightModule, version: shipwrightVer,
		files: []string{"deploy/100-namespace.yaml", "deploy/200-role.yaml", "deploy/300-rolebinding.yaml",
			"deploy/400-serviceaccount.yaml", "deploy/500-controller.yaml", "deploy/clusterrole-aggregate-edit.yaml",
			"deploy/clusterrole-aggregate-view.yaml", "deploy/crds"},
		namespace:   "shipwright-build",
		deployments: []string{"shipwright-build-controller"},
		needs:       []string{AddonTekton},
		// The git source step (shipwright_git.go).
		bases: map[string]string{shipwrightGitImport: gitServiceRepo},
		edit:  withGitStepTemplate,
	},
	knativeAddon,
	gatewayAPIAddon,
	traefikAddon,
	daprAddon,
	kedaAddon,
	redisAddon,
	kilnAddon,
}

// ParseAddons reads `--with tekton,shipwright`: known names, with what they
// need added, in install order.
func ParseAddons(s string) ([]string, error) {
	want := map[string]bool{}
	for _, n := range strings.Split(s, ",") {
		n = strings.TrimSpace(strings.ToLower(n))
		if n == "" {
			continue
		}
		a, ok := addonNamed(n)
		if !ok {
			return nil, fmt.Errorf("cluster: unknown addon %q in --with: known are %s", n, strings.Join(AddonNames(), ", "))
		}
		addNeeds(a, want)
	}
	var out []string
	for _, a := range addons {
		if want[a.name] {
			out = append(out, a.name)
		}
	}
	return out, nil
}

// addNeeds marks a and what it needs, transitively.
func addNeeds(a addon, want map[string]bool) {
	if want[a.name] {
		return
	}
	want[a.name] = true
	for _, n := range a.needs {
		d, _ := addonNamed(n)
		addNeeds(d, want)
	}
}

// AddonNames lists the known addons in install order.
func AddonNames() []string {
	var n []string
	for _, a := range addons {
		n = append(n, a.name)
	}
	return n
}

func addonNamed(n string) (addon, bool) {
	i := slices.IndexFunc(addons, func(a addon) bool { return a.name == n })
	if i < 0 {
		return addon{}, false
	}
	return addons[i], true
}
