package cluster

import "strconv"

// Traefik is Knative's ingress and the Gateway API's implementation: its
// Knative provider (experimental since v3.6) turns KIngresses into routes
// to the revisions' ClusterIPs, its Kubernetes Gateway provider turns
// HTTPRoutes attached to a Gateway of the GatewayClass traefik into routes
// to their backends' endpoints. It listens on a loopback port of the host
// (hostNetwork; the port is picked at the first install and kept in the
// state), and a Gateway listener on that port is served there.
//
// v3.6.9, not v3.7.13: every v3.7 release needs module versions the proxy
// refuses (github.com/containous/go-http-auth v0.4.1-0.20260804094822-
// b975dcaa8c48, and lego's DNS provider SDKs: dnsimple-go/v9,
// sacloud-sdk-go, ucloud-sdk-go, ...), and a nested module
// (github.com/traefik/traefik/dynamic/ext) its zip leaves out. v3.6.9 and
// all it needs are served; only its own go.mod is missing from the
// checksum database's mirror here, so it is fetched with GONOSUMDB for
// that one module (its dependencies are still checked against its go.sum).
const (
	traefikModule  = "github.com/traefik/traefik/v3"
	traefikVersion = "v3.6.9"
	// ingressPortVar is replaced by the ingress port in the applied YAML.
	ingressPortVar = "KILN_INGRESS_PORT"
	traefikNS      = "kiln-ingress"
)

var traefikAddon = addon{
	name: AddonTraefik, module: traefikModule, version: traefikVersion, noSumDB: true,
	namespace: traefikNS, deployments: []string{"traefik"},
	manifest: traefikManifest,
	needs:    []string{AddonGatewayAPI},
}

// GatewayClass is the class whose Gateways Traefik serves.
const GatewayClass = "traefik"

// The Gateway API's standard CRDs, from the module version Kiln's go.mod
// pins (its zip carries config/crd): the kinds Traefik's Gateway provider
// watches (it waits for every informer, so each must be served). Not the
// experimental channel, nor the safe-upgrades ValidatingAdmissionPolicy.
const (
	AddonGatewayAPI   = "gateway-api"
	gatewayAPIModule  = "sigs.k8s.io/gateway-api"
	gatewayAPIVersion = "v1.6.3"
)

var gatewayAPIAddon = addon{
	name: AddonGatewayAPI, module: gatewayAPIModule, version: gatewayAPIVersion,
	files: []string{"config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml",
		"config/crd/standard/gateway.networking.k8s.io_gateways.yaml",
		"config/crd/standard/gateway.networking.k8s.io_httproutes.yaml",
		"config/crd/standard/gateway.networking.k8s.io_grpcroutes.yaml",
		"config/crd/standard/gateway.networking.k8s.io_referencegrants.yaml",
		"config/crd/standard/gateway.networking.k8s.io_backendtlspolicies.yaml"},
}

// traefikManifest: no API, dashboard or ping (their entrypoint would bind
// 0.0.0.0:8080 on the host); the one entrypoint is loopback only, and
// serves both providers. The Gateway provider reads Services'
// EndpointSlices (it routes to endpoints, not ClusterIPs), Namespaces
// (listeners' allowedRoutes) and ConfigMaps, and writes the status of what
// it serves.
const traefikManifest = `apiVersion: v1
kind: Namespace
metadata: {name: ` + traefikNS + `}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: traefik, namespace: ` + traefikNS + `}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: kiln:traefik-knative}
rules:
- apiGroups: [""]
  resources: [services, secrets]
  verbs: [get, list, watch]
- apiGroups: [networking.internal.knative.dev]
  resources: [ingresses]
  verbs: [get, list, watch]
- apiGroups: [networking.internal.knative.dev]
  resources: [ingresses/status]
  verbs: [update]
- apiGroups: [""]
  resources: [namespaces, configmaps]
  verbs: [get, list, watch]
- apiGroups: [discovery.k8s.io]
  resources: [endpointslices]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses, gateways, httproutes, grpcroutes, referencegrants, backendtlspolicies]
  verbs: [get, list, watch]
- apiGroups: [gateway.networking.k8s.io]
  resources: [gatewayclasses/status, gateways/status, httproutes/status, grpcroutes/status, backendtlspolicies/status]
  verbs: [update]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: kiln:traefik-knative}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: kiln:traefik-knative}
subjects:
- {kind: ServiceAccount, name: traefik, namespace: ` + traefikNS + `}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: traefik, namespace: ` + traefikNS + `}
spec:
  replicas: 1
  strategy: {type: Recreate}
  selector: {matchLabels: {app: traefik}}
  template:
    metadata: {labels: {app: traefik}}
    spec:
      serviceAccountName: traefik
      hostNetwork: true
      dnsPolicy: ClusterFirstWithHostNet
      containers:
      - name: traefik
        image: ko://` + traefikModule + `/cmd/traefik
        args:
        - --global.checkNewVersion=false
        - --global.sendAnonymousUsage=false
        - --entrypoints.web.address=127.0.0.1:` + ingressPortVar + `
        - --experimental.knative=true
        - --providers.knative=true
        - --providers.knative.publicEntrypoints=web
        - --providers.knative.publicService.name=traefik
        - --providers.knative.publicService.namespace=` + traefikNS + `
        - --providers.kubernetesgateway=true
        - --providers.kubernetesgateway.statusaddress.ip=127.0.0.1
        - --log.level=INFO
        resources: {requests: {cpu: 50m, memory: 50Mi}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          runAsNonRoot: true
          capabilities: {drop: [ALL]}
---
apiVersion: v1
kind: Service
metadata: {name: traefik, namespace: ` + traefikNS + `}
spec:
  selector: {app: traefik}
  ports: [{name: web, port: 80, targetPort: 80}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: ` + GatewayClass + `}
spec:
  controllerName: traefik.io/gateway-controller
`

// Ingress is the address Traefik serves Knative Services on
// (http://127.0.0.1:PORT), or "" before the knative addon is installed.
func Ingress(o Options) string {
	s, err := loadState(o.Layout)
	if err != nil || s.IngressPort == 0 {
		return ""
	}
	return "http://127.0.0.1:" + strconv.Itoa(s.IngressPort)
}
