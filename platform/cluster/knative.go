package cluster

// Knative Serving v0.50.0, not the v0.51.0 issue 9 names: v0.51.0 needs
// knative.dev/pkg v0.0.0-20261026113028-cfa0ac991c5a and knative.dev/networking
// v0.0.0-20261026130131-cfc431598730, which the module proxy refuses ("403
// This module version is not available"), so it cannot be built here.
// v0.50.0's (and its client-go v0.35.7's) are served; client-go one minor
// behind the v1.36 apiserver is within the supported skew.
const (
	knativeModule     = "knative.dev/serving"
	knativeVersion    = "v0.50.0"
	knativeNetworking = "knative.dev/networking"
	knativeNetVersion = "v0.0.0-20260727162500-c7a7b772cac9" // serving v0.50.0's go.mod
	knativeCaching    = "knative.dev/caching"
	knativeCacheVer   = "v0.0.0-20260727161800-0edbf88bc267"
	// KnativeIngressClass is Traefik's Knative provider's class.
	KnativeIngressClass = "traefik.ingress.networking.knative.dev"
	// KnativeDomain is the domain of Knative Services' URLs:
	// http://NAME.NAMESPACE.localhost:PORT/. Names under localhost resolve
	// to loopback by themselves (RFC 6761; curl, browsers), where Traefik
	// listens, so the URL works from the host with no Host header and no
	// /etc/hosts edit.
	KnativeDomain = "localhost"
)

// knativeAddon: Serving's core (CRDs, RBAC, config maps, controller,
// webhook, activator, autoscaler and the queue-proxy image the config
// names), not its HPAs (no metrics server here) nor the internal-TLS
// certificate (no cert-manager). The networking and caching CRDs and the
// config-network map are symlinks in Serving's repo, so the module zip has
// none of them: they come from the modules of the versions Serving's go.mod
// pins. The webhook makes its own certificates (config/core/webhooks/secret.yaml).
var knativeAddon = addon{
	name: AddonKnative, module: knativeModule, version: knativeVersion,
	more: []moduleFiles{
		{module: knativeNetworking, version: knativeNetVersion, files: []string{"config/certificate.yaml", "config/domain-claim.yaml",
			"config/ingress.yaml", "config/serverlessservice.yaml", "config/config-network.yaml"}},
		{module: knativeCaching, version: knativeCacheVer, files: []string{"config/image.yaml"}},
	},
	files: []string{"config/core/100-namespace.yaml", "config/core/200-roles", "config/core/200-serviceaccount.yaml",
		"config/core/300-resources", "config/core/999-cache.yaml", "config/core/configmaps",
		"config/core/deployments/activator.yaml", "config/core/deployments/autoscaler.yaml",
		"config/core/deployments/controller.yaml", "config/core/deployments/webhook.yaml", "config/core/webhooks"},
	namespace:   "knative-serving",
	deployments: []string{"controller", "webhook", "activator", "autoscaler"},
	needs:       []string{AddonCoreDNS, AddonTraefik},
	config:      knativeConfig,
}

// knativeConfig: Traefik's ingress class, the localhost domain, and
// fieldRef env in pod specs: Kiln's controller gives every function
// POD_NAME and POD_NAMESPACE from the downward API, which Knative's
// webhook refuses unless kubernetes.podspec-fieldref is enabled.
const knativeConfig = `apiVersion: v1
kind: ConfigMap
metadata: {name: config-features, namespace: knative-serving}
data:
  kubernetes.podspec-fieldref: enabled
---
apiVersion: v1
kind: ConfigMap
metadata: {name: config-network, namespace: knative-serving}
data:
  ingress-class: ` + KnativeIngressClass + `
---
apiVersion: v1
kind: ConfigMap
metadata: {name: config-domain, namespace: knative-serving}
data:
  ` + KnativeDomain + `: ""
`
