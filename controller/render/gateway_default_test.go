package render

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// TestDefaultGatewayIsTheInstalledOne: DefaultGatewayConfigMap says what
// controller/config/gateway/gateway-config.yaml says, so kiln render's
// default is the config a cluster gets.
func TestDefaultGatewayIsTheInstalledOne(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", filepath.FromSlash(DefaultGatewayConfigFile)))
	if err != nil {
		t.Fatal(err)
	}
	var installed corev1.ConfigMap
	if err := yaml.UnmarshalStrict(b, &installed); err != nil {
		t.Fatal(err)
	}
	d := DefaultGatewayConfigMap()
	if d.Name != installed.Name || d.Namespace != installed.Namespace || !maps.Equal(d.Data, installed.Data) {
		t.Fatalf("DefaultGatewayConfigMap differs from %s:\n%s/%s %v\n%s/%s %v", DefaultGatewayConfigFile,
			d.Namespace, d.Name, d.Data, installed.Namespace, installed.Name, installed.Data)
	}
	g := DefaultGateway()
	if g.Domain != "fn.example.com" || g.GatewayName != "kiln-gateway" || g.GatewayNamespace != "kiln" || !g.Allows("any-namespace") {
		t.Fatalf("%+v", g)
	}
}
