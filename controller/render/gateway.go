package render

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"text/template"
	"unicode"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Gateway is a Kiln Gateway config: a ConfigMap (named by a route's
// gatewayRef) saying which Gateway API Gateway routes attach to and how
// hostnames and paths are generated.
//
//	data:
//	  domain: fn.example.com                          # required
//	  gatewayName: kiln-gateway                       # the gateway.networking.k8s.io Gateway
//	  gatewayNamespace: kiln                          # default: the ConfigMap's namespace
//	  gatewayListener: http                           # optional sectionName
//	  hostTemplate: "{{.Name}}.{{.Namespace}}.{{.Domain}}"   # host-based routes (no hostnames)
//	  pathTemplate: "/{{.Namespace}}/{{.Name}}"              # path-based routes (hostnames, no rules)
//	  allowedNamespaces: "team-a, team-b"             # who else may use it; "*" for every namespace
type Gateway struct {
	Domain, GatewayName, GatewayNamespace, Listener string
	HostTemplate, PathTemplate                      string
	// ConfigNamespace is the ConfigMap's namespace: its Functions may use it.
	ConfigNamespace string
	// AllowedNamespaces are the other namespaces whose Functions may use it
	// ("*": all), like a Gateway listener's allowedRoutes.
	AllowedNamespaces []string
}

// Allows says whether Functions in namespace may route through g.
func (g *Gateway) Allows(namespace string) bool {
	return namespace == g.ConfigNamespace || slices.Contains(g.AllowedNamespaces, "*") || slices.Contains(g.AllowedNamespaces, namespace)
}

// Defaults of a Gateway config.
const (
	DefaultHostTemplate = "{{.Name}}.{{.Namespace}}.{{.Domain}}"
	DefaultPathTemplate = "/{{.Namespace}}/{{.Name}}"
)

// GatewayFromConfigMap reads a Gateway config, naming the key at fault.
func GatewayFromConfigMap(cm *corev1.ConfigMap) (*Gateway, error) {
	d := cm.Data
	g := &Gateway{Domain: d["domain"], GatewayName: d["gatewayName"], GatewayNamespace: d["gatewayNamespace"],
		Listener: d["gatewayListener"], HostTemplate: d["hostTemplate"], PathTemplate: d["pathTemplate"], ConfigNamespace: cm.Namespace}
	where := fmt.Sprintf("Gateway config ConfigMap %s/%s", cm.Namespace, cm.Name)
	for _, ns := range strings.FieldsFunc(d["allowedNamespaces"], func(r rune) bool { return r == ',' || unicode.IsSpace(r) }) {
		if ns != "*" && len(validation.IsDNS1123Label(ns)) > 0 {
			return nil, fmt.Errorf("%s: data.allowedNamespaces: %q is not a namespace; list namespaces separated by commas, or \"*\" for all", where, ns)
		}
		g.AllowedNamespaces = append(g.AllowedNamespaces, ns)
	}
	if g.Domain == "" {
		return nil, fmt.Errorf("%s: data.domain is empty; set the domain function hostnames live under, e.g. fn.example.com", where)
	}
	if g.GatewayName == "" {
		return nil, fmt.Errorf("%s: data.gatewayName is empty; set the gateway.networking.k8s.io Gateway routes attach to", where)
	}
	if g.GatewayNamespace == "" {
		g.GatewayNamespace = cm.Namespace
	}
	if g.HostTemplate == "" {
		g.HostTemplate = DefaultHostTemplate
	}
	if g.PathTemplate == "" {
		g.PathTemplate = DefaultPathTemplate
	}
	for key, t := range map[string]string{"hostTemplate": g.HostTemplate, "pathTemplate": g.PathTemplate} {
		if _, err := g.expand(t, "fn", "ns"); err != nil {
			return nil, fmt.Errorf("%s: data.%s: %v (fields: .Name .Namespace .Domain)", where, key, err)
		}
	}
	return g, nil
}

func (g *Gateway) expand(text, name, namespace string) (string, error) {
	t, err := template.New("").Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var b bytes.Buffer
	err = t.Execute(&b, struct{ Name, Namespace, Domain string }{name, namespace, g.Domain})
	return b.String(), err
}
