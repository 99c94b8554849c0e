package reconciler

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// A function with a route is ServingReady once the Gateway accepted the
// route's current generation and resolved its backends; what the Gateway
// refuses is reported with its reason.
func TestRouteReady(t *testing.T) {
	g := &render.Gateway{GatewayName: "kiln-gateway", GatewayNamespace: "kiln"}
	kiln := gatewayv1.Namespace("kiln")
	cond := func(typ string, s metav1.ConditionStatus, gen int64, reason string) metav1.Condition {
		return metav1.Condition{Type: typ, Status: s, ObservedGeneration: gen, Reason: reason, Message: reason + " says the Gateway"}
	}
	route := func(parent string, conds ...metav1.Condition) *gatewayv1.HTTPRoute {
		r := &gatewayv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: "hello", Namespace: "demo", Generation: 2}}
		r.Status.Parents = []gatewayv1.RouteParentStatus{{ParentRef: gatewayv1.ParentReference{Name: gatewayv1.ObjectName(parent), Namespace: &kiln},
			ControllerName: "traefik.io/gateway-controller", Conditions: conds}}
		return r
	}
	for _, tc := range []struct {
		name   string
		route  *gatewayv1.HTTPRoute
		status metav1.ConditionStatus
		reason string
		msg    string
	}{
		{"no status yet", route("kiln-gateway"), metav1.ConditionUnknown, v1alpha1.ReasonRouteNotReady, "waiting for Gateway kiln/kiln-gateway to accept HTTPRoute hello"},
		{"another Gateway's status", route("other", cond("Accepted", metav1.ConditionTrue, 2, "Accepted")), metav1.ConditionUnknown, v1alpha1.ReasonRouteNotReady, "waiting"},
		{"an older generation accepted", route("kiln-gateway", cond("Accepted", metav1.ConditionTrue, 1, "Accepted")), metav1.ConditionUnknown, v1alpha1.ReasonRouteNotReady, "waiting"},
		{"accepted", route("kiln-gateway", cond("Accepted", metav1.ConditionTrue, 2, "Accepted"), cond("ResolvedRefs", metav1.ConditionTrue, 2, "ResolvedRefs")),
			metav1.ConditionTrue, v1alpha1.ReasonKnativeServiceReady, "Knative Service hello is ready; HTTPRoute hello accepted by Gateway kiln/kiln-gateway"},
		{"refused", route("kiln-gateway", cond("Accepted", metav1.ConditionFalse, 2, "NotAllowedByListeners")), metav1.ConditionFalse, v1alpha1.ReasonRouteNotAccepted,
			"Gateway kiln/kiln-gateway does not accept HTTPRoute hello: NotAllowedByListeners: NotAllowedByListeners says the Gateway"},
		{"backend missing", route("kiln-gateway", cond("Accepted", metav1.ConditionTrue, 2, "Accepted"), cond("ResolvedRefs", metav1.ConditionFalse, 2, "BackendNotFound")),
			metav1.ConditionFalse, v1alpha1.ReasonRouteRefsUnresolved, "cannot resolve the backends of HTTPRoute hello: BackendNotFound"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, reason, msg := routeReady(tc.route, g, v1alpha1.ReasonKnativeServiceReady, "Knative Service hello is ready")
			if s != tc.status || reason != tc.reason || !strings.Contains(msg, tc.msg) {
				t.Errorf("routeReady = %s %s %q; want %s %s, a message with %q", s, reason, msg, tc.status, tc.reason, tc.msg)
			}
		})
	}
}
