package reconciler

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// knativeTraffic is the status.traffic of f's Knative Service, which its
// HTTPRoute's backends follow: nil when f has no route, or Knative has not
// made the Service (or is not installed). The Service is watched, so a
// change of its traffic reconciles f again.
func (r *FunctionReconciler) knativeTraffic(ctx context.Context, f *v1alpha1.Function) ([]servingv1.TrafficTarget, error) {
	if f.Spec.Serving == nil || f.IsAsync() || f.Spec.Serving.Triggers.HTTP.Route == nil {
		return nil, nil
	}
	var ks servingv1.Service
	err := r.Get(ctx, types.NamespacedName{Namespace: f.Namespace, Name: f.Name}, &ks)
	switch {
	case apierrors.IsNotFound(err) || meta.IsNoMatchError(err):
		return nil, nil
	case err != nil:
		return nil, err
	}
	return ks.Status.Traffic, nil
}

// routeReady is ServingReady for a workload that is ready and has a route:
// ready once the Gateway has accepted the route's current generation and
// resolved its backends. workloadReason and workloadMsg say the workload
// is ready.
func routeReady(route *gatewayv1.HTTPRoute, g *render.Gateway, workloadReason, workloadMsg string) (metav1.ConditionStatus, string, string) {
	gw := g.GatewayNamespace + "/" + g.GatewayName
	var conds []metav1.Condition
	for _, p := range route.Status.Parents {
		ns := route.Namespace
		if p.ParentRef.Namespace != nil {
			ns = string(*p.ParentRef.Namespace)
		}
		if string(p.ParentRef.Name) == g.GatewayName && ns == g.GatewayNamespace {
			conds = p.Conditions
		}
	}
	accepted := meta.FindStatusCondition(conds, string(gatewayv1.RouteConditionAccepted))
	resolved := meta.FindStatusCondition(conds, string(gatewayv1.RouteConditionResolvedRefs))
	waiting := fmt.Sprintf("%s; waiting for Gateway %s to accept HTTPRoute %s", workloadMsg, gw, route.Name)
	switch {
	case accepted == nil || accepted.ObservedGeneration < route.Generation:
		return metav1.ConditionUnknown, v1alpha1.ReasonRouteNotReady, waiting
	case accepted.Status == metav1.ConditionFalse:
		return metav1.ConditionFalse, v1alpha1.ReasonRouteNotAccepted, fmt.Sprintf("Gateway %s does not accept HTTPRoute %s: %s: %s", gw, route.Name, accepted.Reason, accepted.Message)
	case accepted.Status != metav1.ConditionTrue:
		return metav1.ConditionUnknown, v1alpha1.ReasonRouteNotReady, waiting
	case resolved != nil && resolved.ObservedGeneration >= route.Generation && resolved.Status == metav1.ConditionFalse:
		return metav1.ConditionFalse, v1alpha1.ReasonRouteRefsUnresolved, fmt.Sprintf("Gateway %s cannot resolve the backends of HTTPRoute %s: %s: %s", gw, route.Name, resolved.Reason, resolved.Message)
	}
	return metav1.ConditionTrue, workloadReason, fmt.Sprintf("%s; HTTPRoute %s accepted by Gateway %s", workloadMsg, route.Name, gw)
}
