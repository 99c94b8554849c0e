package cluster

import (
	"fmt"
)

// GatewayDomain is the domain of Function routes on the node: the kiln
// addon sets it in controller/config's Gateway config (kiln/kiln), so a
// host-based route answers at http://NAME.NAMESPACE.fn.localhost:PORT/
// (under localhost, which resolves to loopback by itself, and apart from
// Knative's own NAME.NAMESPACE.localhost).
const GatewayDomain = "fn.localhost"

// The Gateway controller/config's Gateway config names (kiln/kiln-gateway):
// the kiln addon makes it, of Traefik's class, listening on the ingress
// port, taking routes from every namespace.
const (
	gatewayName     = "kiln-gateway"
	gatewayListener = "web"
)

const kilnGateway = `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ` + gatewayName + `, namespace: ` + kilnNamespace + `}
spec:
  gatewayClassName: ` + GatewayClass + `
  listeners:
  - name: ` + gatewayListener + `
    protocol: HTTP
    port: ` + ingressPortVar + `
    allowedRoutes: {namespaces: {from: All}}
`

// pinGateway points controller/config's Gateway config at the node's
// Gateway and domain and appends the Gateway.
func pinGateway(stream []byte) ([]byte, error) {
	out, err := editDoc(stream, kilnConfigSource, func(m map[string]any) bool {
		return m["kind"] == "ConfigMap" && nested(m, "metadata", "name") == "kiln" && nested(m, "metadata", "namespace") == kilnNamespace
	}, func(m map[string]any) error {
		data, _ := m["data"].(map[string]any)
		if data == nil {
			return fmt.Errorf("cluster: kiln addon: controller/config's Gateway config kiln/kiln has no data")
		}
		data["domain"], data["gatewayName"], data["gatewayNamespace"], data["gatewayListener"] = GatewayDomain, gatewayName, kilnNamespace, gatewayListener
		return nil
	}, "Gateway config ConfigMap kiln/kiln (controller/config/gateway)")
	if err != nil {
		return nil, err
	}
	return append(out, "---\n"+kilnGateway...), nil
}
