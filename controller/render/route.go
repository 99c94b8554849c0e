package render

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// RouteHosts are the hostnames and path prefix of f's route: the spec's
// hostnames, or one from the host template (path "/"); with hostnames and no
// rules, the path comes from the path template.
func RouteHosts(f *v1alpha1.Function, g *Gateway) (hosts []string, path string, err error) {
	r := f.Spec.Serving.Triggers.HTTP.Route
	hosts, path = r.Hostnames, "/"
	if len(hosts) == 0 {
		h, err := g.expand(g.HostTemplate, f.Name, f.Namespace)
		if err != nil {
			return nil, "", fmt.Errorf("gateway hostTemplate: %w", err)
		}
		hosts = []string{h}
	} else if len(r.Rules) == 0 {
		if path, err = g.expand(g.PathTemplate, f.Name, f.Namespace); err != nil {
			return nil, "", fmt.Errorf("gateway pathTemplate: %w", err)
		}
	}
	return hosts, path, nil
}

// HTTPRoute attaches f's Knative Service to the configured Gateway. The
// backend is the Service Knative makes for f, with the Host header Knative's
// ingress routes by.
func HTTPRoute(f *v1alpha1.Function, cfg Config) (*gatewayv1.HTTPRoute, error) {
	g := cfg.Gateway
	r := f.Spec.Serving.Triggers.HTTP.Route
	hosts, path, err := RouteHosts(f, g)
	if err != nil {
		return nil, err
	}
	parent := gatewayv1.ParentReference{Name: gatewayv1.ObjectName(g.GatewayName), Namespace: ptr(gatewayv1.Namespace(g.GatewayNamespace))}
	if g.Listener != "" {
		parent.SectionName = ptr(gatewayv1.SectionName(g.Listener))
	}
	route := &gatewayv1.HTTPRoute{
		TypeMeta:   metav1.TypeMeta{APIVersion: "gateway.networking.k8s.io/v1", Kind: "HTTPRoute"},
		ObjectMeta: objectMeta(f, f.Name, nil),
	}
	route.Spec.ParentRefs = []gatewayv1.ParentReference{parent}
	for _, h := range hosts {
		route.Spec.Hostnames = append(route.Spec.Hostnames, gatewayv1.Hostname(h))
	}
	backend := []gatewayv1.HTTPBackendRef{{BackendRef: gatewayv1.BackendRef{BackendObjectReference: gatewayv1.BackendObjectReference{
		Name: gatewayv1.ObjectName(f.Name), Port: ptr(gatewayv1.PortNumber(80))}}}}
	filters := []gatewayv1.HTTPRouteFilter{{Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier,
		RequestHeaderModifier: &gatewayv1.HTTPHeaderFilter{Set: []gatewayv1.HTTPHeader{{Name: "Host",
			Value: fmt.Sprintf("%s.%s.svc.%s", f.Name, f.Namespace, cfg.ClusterDomain)}}}}}
	rules := r.Rules
	if len(rules) == 0 {
		rules = []v1alpha1.RouteRule{{Matches: []v1alpha1.RouteMatch{{Path: &v1alpha1.PathMatch{Type: ptr("PathPrefix"), Value: ptr(path)}}}}}
	}
	for _, rule := range rules {
		out := gatewayv1.HTTPRouteRule{BackendRefs: backend, Filters: filters}
		for _, m := range rule.Matches {
			var gm gatewayv1.HTTPRouteMatch
			if m.Path != nil {
				gm.Path = &gatewayv1.HTTPPathMatch{Value: m.Path.Value}
				if m.Path.Type != nil {
					gm.Path.Type = ptr(gatewayv1.PathMatchType(*m.Path.Type))
				}
			}
			out.Matches = append(out.Matches, gm)
		}
		route.Spec.Rules = append(route.Spec.Rules, out)
	}
	return route, nil
}

// URL is f's external URL through its route ("" without one).
func URL(f *v1alpha1.Function, g *Gateway) string {
	if g == nil || f.Spec.Serving == nil || f.IsAsync() || f.Spec.Serving.Triggers.HTTP.Route == nil {
		return ""
	}
	hosts, path, err := RouteHosts(f, g)
	if err != nil || len(hosts) == 0 {
		return ""
	}
	r := f.Spec.Serving.Triggers.HTTP.Route
	if len(r.Rules) > 0 && len(r.Rules[0].Matches) > 0 && r.Rules[0].Matches[0].Path != nil && r.Rules[0].Matches[0].Path.Value != nil {
		path = *r.Rules[0].Matches[0].Path.Value
	}
	return "http://" + hosts[0] + path
}
