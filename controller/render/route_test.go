package render

import (
	"testing"

	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// The route's backends follow Knative's traffic: each revision by its own
// Service with the activator's headers; a templated path is stripped.
func TestHTTPRouteBackends(t *testing.T) {
	withRoute := func(r *v1alpha1.RouteImpl) func(*v1alpha1.Function) {
		return func(f *v1alpha1.Function) {
			f.Spec.Serving.Triggers = &v1alpha1.Triggers{HTTP: &v1alpha1.HTTPTrigger{Route: r}}
		}
	}
	pathBased := withRoute(&v1alpha1.RouteImpl{Hostnames: []string{"localhost"}})
	hostBased := withRoute(&v1alpha1.RouteImpl{})
	rules := withRoute(&v1alpha1.RouteImpl{Hostnames: []string{"api.example.com"},
		Rules: []v1alpha1.RouteRule{{Matches: []v1alpha1.RouteMatch{{Path: &v1alpha1.PathMatch{Type: ptr("PathPrefix"), Value: ptr("/v1")}}}}}})
	one := []servingv1.TrafficTarget{{RevisionName: "hello-00002", Percent: ptr(int64(100)), LatestRevision: ptr(true)}}
	split := []servingv1.TrafficTarget{{RevisionName: "hello-00001", Percent: ptr(int64(20))},
		{RevisionName: "hello-00002", Percent: ptr(int64(80))}, {RevisionName: "hello-00003", Percent: ptr(int64(0)), Tag: "next"}}
	for _, tc := range []struct {
		name    string
		route   func(*v1alpha1.Function)
		traffic []servingv1.TrafficTarget
		want    string
	}{
		{"path-based, no traffic yet", pathBased, nil, `hostnames: [localhost]
parentRefs: [{name: kiln-gateway, namespace: kiln}]
rules:
- filters: [{type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}]
  matches: [{path: {type: PathPrefix, value: /default/hello}}]
`},
		{"path-based, one revision", pathBased, one, `hostnames: [localhost]
parentRefs: [{name: kiln-gateway, namespace: kiln}]
rules:
- backendRefs: [{name: hello-00002, port: 80}]
  filters:
  - type: RequestHeaderModifier
    requestHeaderModifier: {set: [{name: Knative-Serving-Revision, value: hello-00002}, {name: Knative-Serving-Namespace, value: default}]}
  - {type: URLRewrite, urlRewrite: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /}}}
  matches: [{path: {type: PathPrefix, value: /default/hello}}]
`},
		{"host-based, split", hostBased, split, `hostnames: [hello.default.fn.example.com]
parentRefs: [{name: kiln-gateway, namespace: kiln}]
rules:
- backendRefs:
  - name: hello-00001
    port: 80
    weight: 20
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: Knative-Serving-Revision, value: hello-00001}, {name: Knative-Serving-Namespace, value: default}]}
  - name: hello-00002
    port: 80
    weight: 80
    filters:
    - type: RequestHeaderModifier
      requestHeaderModifier: {set: [{name: Knative-Serving-Revision, value: hello-00002}, {name: Knative-Serving-Namespace, value: default}]}
  matches: [{path: {type: PathPrefix, value: /}}]
`},
		{"the user's rules keep their paths", rules, one, `hostnames: [api.example.com]
parentRefs: [{name: kiln-gateway, namespace: kiln}]
rules:
- backendRefs: [{name: hello-00002, port: 80}]
  filters:
  - type: RequestHeaderModifier
    requestHeaderModifier: {set: [{name: Knative-Serving-Revision, value: hello-00002}, {name: Knative-Serving-Namespace, value: default}]}
  matches: [{path: {type: PathPrefix, value: /v1}}]
`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := hello(tc.route)
			r, err := HTTPRoute(f, testConfig(), tc.traffic)
			if err != nil {
				t.Fatal(err)
			}
			got, err := yaml.Marshal(r.Spec)
			if err != nil {
				t.Fatal(err)
			}
			want, err := yaml.YAMLToJSON([]byte(tc.want))
			if err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := yaml.YAMLToJSON(got)
			if string(gotJSON) != string(want) {
				t.Errorf("spec:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}
