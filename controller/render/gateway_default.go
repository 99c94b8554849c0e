package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// DefaultGatewayConfigFile is where Kiln's install keeps the Gateway config
// DefaultGatewayConfigMap returns, relative to the repository's root.
const DefaultGatewayConfigFile = "controller/config/gateway/gateway-config.yaml"

// DefaultGatewayConfigMap is the Gateway config Kiln installs
// (DefaultGatewayConfigFile): ConfigMap kiln/kiln, the one a route without a
// gatewayRef uses. Tools that render without a cluster (kiln render) use it
// when they are given none.
func DefaultGatewayConfigMap() *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: v1alpha1.DefaultGatewayName, Namespace: v1alpha1.DefaultGatewayNamespace},
		Data: map[string]string{
			"domain":            "fn.example.com",
			"gatewayName":       "kiln-gateway",
			"gatewayNamespace":  "kiln",
			"allowedNamespaces": "*",
			"hostTemplate":      DefaultHostTemplate,
			"pathTemplate":      DefaultPathTemplate,
		},
	}
}

// DefaultGateway is DefaultGatewayConfigMap read as a Gateway config.
func DefaultGateway() *Gateway {
	g, err := GatewayFromConfigMap(DefaultGatewayConfigMap())
	if err != nil {
		panic("render: the default Gateway config does not parse: " + err.Error())
	}
	return g
}
