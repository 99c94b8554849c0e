package render

import (
	"fmt"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
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

// Headers Knative's activator reads to know which revision a request is
// for (without them it takes the revision from a Host of the form
// REVISION.NAMESPACE.svc.DOMAIN, and answers 404 for anything else).
const (
	knativeRevisionHeader  = "Knative-Serving-Revision"
	knativeNamespaceHeader = "Knative-Serving-Namespace"
)

// HTTPRoute attaches f to the configured Gateway. Its backends are the
// revisions Knative sends f's traffic to (traffic: the Knative Service's
// status.traffic), each by its own Service on port 80 with the headers
// Knative's activator routes by, as Knative's own Gateway API ingress
// does: the revisions' Services hold ClusterIP endpoints (the activator's,
// or the pods' queue-proxies) that any Gateway implementation can reach,
// where the Service named after f is an ExternalName to Knative's
// ingress, which Gateway implementations refuse. Before Knative routes any
// traffic (nil traffic) the rules have no backends: the Gateway answers
// them without reaching the function. A path from the path template is
// stripped (ReplacePrefixMatch "/"): the function sees "/" at
// /NAMESPACE/NAME/, as it does at its Knative URL.
func HTTPRoute(f *v1alpha1.Function, cfg Config, traffic []servingv1.TrafficTarget) (*gatewayv1.HTTPRoute, error) {
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
	backends, filters := revisionBackends(f.Namespace, traffic)
	rules := r.Rules
	if len(rules) == 0 {
		rules = []v1alpha1.RouteRule{{Matches: []v1alpha1.RouteMatch{{Path: &v1alpha1.PathMatch{Type: ptr("PathPrefix"), Value: ptr(path)}}}}}
		if path != "/" {
			filters = append(filters, gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterURLRewrite,
				URLRewrite: &gatewayv1.HTTPURLRewriteFilter{Path: &gatewayv1.HTTPPathModifier{
					Type: gatewayv1.PrefixMatchHTTPPathModifier, ReplacePrefixMatch: ptr("/")}}})
		}
	}
	for _, rule := range rules {
		out := gatewayv1.HTTPRouteRule{BackendRefs: backends, Filters: filters}
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

// revisionBackends are the revisions of traffic that get a share, each
// weighted by it. One revision takes the activator's headers as a rule
// filter; several take them as filters of their own backends.
func revisionBackends(namespace string, traffic []servingv1.TrafficTarget) ([]gatewayv1.HTTPBackendRef, []gatewayv1.HTTPRouteFilter) {
	headers := func(rev string) gatewayv1.HTTPRouteFilter {
		return gatewayv1.HTTPRouteFilter{Type: gatewayv1.HTTPRouteFilterRequestHeaderModifier,
			RequestHeaderModifier: &gatewayv1.HTTPHeaderFilter{Set: []gatewayv1.HTTPHeader{
				{Name: knativeRevisionHeader, Value: rev}, {Name: knativeNamespaceHeader, Value: namespace}}}}
	}
	var refs []gatewayv1.HTTPBackendRef
	for _, t := range traffic {
		if t.RevisionName == "" || t.Percent == nil || *t.Percent <= 0 {
			continue
		}
		refs = append(refs, gatewayv1.HTTPBackendRef{BackendRef: gatewayv1.BackendRef{
			BackendObjectReference: gatewayv1.BackendObjectReference{Name: gatewayv1.ObjectName(t.RevisionName), Port: ptr(gatewayv1.PortNumber(80))},
			Weight:                 ptr(int32(*t.Percent))}})
	}
	switch len(refs) {
	case 0:
		return nil, nil
	case 1:
		refs[0].Weight = nil
		return refs, []gatewayv1.HTTPRouteFilter{headers(string(refs[0].Name))}
	}
	for i := range refs {
		refs[i].Filters = []gatewayv1.HTTPRouteFilter{headers(string(refs[i].Name))}
	}
	return refs, nil
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
