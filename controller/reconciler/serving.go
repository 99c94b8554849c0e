package reconciler

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// gateway reads the route's Gateway config, straight from the API server
// (the controller keeps no ConfigMap informer and may read ConfigMaps only
// where the platform binds kiln-controller-gateway-config). A non-empty
// reason means the user or the platform team must fix it; otherwise err is
// worth a retry.
func (r *FunctionReconciler) gateway(ctx context.Context, f *v1alpha1.Function) (*render.Gateway, string, error) {
	ref := f.Spec.Serving.Triggers.HTTP.Route.GatewayRef
	const field = "spec.serving.triggers.http.route.gatewayRef"
	var cm corev1.ConfigMap
	if err := r.APIReader.Get(ctx, types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}, &cm); err != nil {
		switch {
		case apierrors.IsNotFound(err):
			return nil, v1alpha1.ReasonGatewayConfigNotFound, fmt.Errorf("%s: no Gateway config ConfigMap %s/%s; apply controller/config/gateway or point gatewayRef at yours", field, ref.Namespace, ref.Name)
		case apierrors.IsForbidden(err):
			return nil, v1alpha1.ReasonGatewayConfigDenied, fmt.Errorf("%s: the controller may not read ConfigMaps in namespace %s: Gateway configs live where the platform binds the Role kiln-controller-gateway-config (controller/config/rbac/gateway_config.yaml)", field, ref.Namespace)
		}
		return nil, "", err
	}
	g, err := render.GatewayFromConfigMap(&cm)
	if err != nil {
		return nil, v1alpha1.ReasonGatewayConfigInvalid, err
	}
	if !g.Allows(f.Namespace) {
		return nil, v1alpha1.ReasonGatewayConfigDenied, fmt.Errorf("%s: Gateway config %s/%s is not shared with namespace %s: its data.allowedNamespaces lists the namespaces whose Functions may use it (\"*\" for all)", field, ref.Namespace, ref.Name, f.Namespace)
	}
	return g, "", nil
}

// crashCheckInterval is how often the pods of a revision Knative has not
// made ready are looked at.
const crashCheckInterval = 10 * time.Second

// reconcileServing applies the serving objects, deletes stale ones and
// reports readiness; it returns when to look again at what no watch
// reports (the pods of a revision that is not ready).
func (r *FunctionReconciler) reconcileServing(ctx context.Context, f *v1alpha1.Function, cfg render.Config, image string, st *v1alpha1.FunctionStatus) (time.Duration, error) {
	traffic, err := r.knativeTraffic(ctx, f)
	if err != nil {
		return 0, err
	}
	objs, err := render.Serving(f, cfg, image, traffic)
	if err != nil {
		st.MarkServingFailed(v1alpha1.ReasonInvalidServing, err.Error())
		return 0, nil
	}
	want := map[string]bool{}
	var route *gatewayv1.HTTPRoute
	for _, o := range objs {
		if err := r.apply(ctx, f, o); err != nil {
			return 0, childFailure(st.MarkServingFailed, o, err)
		}
		want[kindName(o)] = true
		if hr, ok := o.(*gatewayv1.HTTPRoute); ok {
			route = hr
		}
	}
	if err := r.deleteStale(ctx, f, want); err != nil {
		return 0, err
	}
	workload := objs[0]
	st.MarkServingStarting(workload.GetName(), workload.GetAnnotations()[render.AnnotationHash])
	ready, reason, msg, url := servingReady(workload)
	if ready == metav1.ConditionTrue && route != nil {
		ready, reason, msg = routeReady(route, cfg.Gateway, reason, msg)
	}
	var after time.Duration
	if ks, ok := workload.(*servingv1.Service); ok && ready == metav1.ConditionUnknown {
		crash, waiting, err := r.revisionCrash(ctx, ks)
		switch {
		case err != nil:
			return 0, err
		case crash != "":
			ready, reason, msg = metav1.ConditionFalse, v1alpha1.ReasonRevisionFailed, crash
		case waiting:
			// No watch on pods: look again while a revision waits.
			after = crashCheckInterval
		}
	}
	switch ready {
	case metav1.ConditionTrue:
		st.MarkServingReady(reason, msg)
	case metav1.ConditionFalse:
		st.MarkServingFailed(reason, msg)
	default:
		st.MarkServingNotReady(reason, msg)
	}
	st.SetAddresses(url, render.URL(f, cfg.Gateway))
	return after, nil
}

// servingReady reads the workload's own readiness from the object the API
// server returned when it was applied: whether it is ready, why, and its
// cluster URL when it has one.
func servingReady(workload client.Object) (metav1.ConditionStatus, string, string, string) {
	switch w := workload.(type) {
	case *servingv1.Service:
		url := ""
		if w.Status.URL != nil {
			url = w.Status.URL.String()
		}
		if w.Status.ObservedGeneration != w.Generation {
			return metav1.ConditionUnknown, v1alpha1.ReasonKnativeServiceNotReady, "waiting for Knative to pick up Knative Service " + w.Name, url
		}
		c := w.Status.GetCondition("Ready")
		switch {
		case c == nil:
			return metav1.ConditionUnknown, v1alpha1.ReasonKnativeServiceNotReady, "waiting for Knative to report Knative Service " + w.Name + " ready", url
		case c.Status == corev1.ConditionTrue:
			return metav1.ConditionTrue, v1alpha1.ReasonKnativeServiceReady, "Knative Service " + w.Name + " is ready", url
		}
		// Knative may leave the message empty (a new revision rolling out):
		// its reason says more than nothing.
		msg := fmt.Sprintf("Knative Service %s: %s", w.Name, orDefault(c.Message, orDefault(c.Reason, "not ready yet")))
		if c.Status == corev1.ConditionFalse {
			return metav1.ConditionFalse, orDefault(c.Reason, v1alpha1.ReasonKnativeServiceFailed), msg, url
		}
		return metav1.ConditionUnknown, orDefault(c.Reason, v1alpha1.ReasonKnativeServiceNotReady), msg, url
	case *appsv1.Deployment:
		if w.Status.AvailableReplicas > 0 || (w.Spec.Replicas != nil && *w.Spec.Replicas == 0) {
			return metav1.ConditionTrue, v1alpha1.ReasonDeploymentAvailable, fmt.Sprintf("Deployment %s: %d available", w.Name, w.Status.AvailableReplicas), ""
		}
		return metav1.ConditionUnknown, v1alpha1.ReasonDeploymentUnavailable, "waiting for Deployment " + w.Name + " to have an available replica", ""
	case *appsv1.StatefulSet:
		if w.Status.ReadyReplicas > 0 {
			return metav1.ConditionTrue, v1alpha1.ReasonStatefulSetReady, fmt.Sprintf("StatefulSet %s: %d ready", w.Name, w.Status.ReadyReplicas), ""
		}
		return metav1.ConditionUnknown, v1alpha1.ReasonStatefulSetNotReady, "waiting for StatefulSet " + w.Name + " to have a ready replica", ""
	default: // a ScaledJob: KEDA starts Jobs on demand
		return metav1.ConditionTrue, v1alpha1.ReasonScaledJobCreated, "KEDA starts Jobs when its triggers fire", ""
	}
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
