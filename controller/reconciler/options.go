package reconciler

import (
	"fmt"
	"reflect"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	gatewayv1 "sigs.k8s.io/gateway-api/apis/v1"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

func controllerOptions(n int) controller.Options {
	return controller.Options{MaxConcurrentReconciles: n}
}

// equalStatus ignores condition timestamps that did not change state.
func equalStatus(a, b v1alpha1.FunctionStatus) bool {
	return reflect.DeepEqual(a, b)
}

// objectOf is the item type of a list (for DeleteAllOf).
func objectOf(list client.ObjectList) client.Object {
	switch list.(type) {
	case *servingv1.ServiceList:
		return &servingv1.Service{}
	case *appsv1.DeploymentList:
		return &appsv1.Deployment{}
	case *appsv1.StatefulSetList:
		return &appsv1.StatefulSet{}
	case *kedav1alpha1.ScaledObjectList:
		return &kedav1alpha1.ScaledObject{}
	case *kedav1alpha1.ScaledJobList:
		return &kedav1alpha1.ScaledJob{}
	case *daprv1alpha1.ComponentList:
		return &daprv1alpha1.Component{}
	case *gatewayv1.HTTPRouteList:
		return &gatewayv1.HTTPRoute{}
	case *shp.BuildRunList:
		return &shp.BuildRun{}
	case *shp.BuildList:
		return &shp.Build{}
	case *corev1.PersistentVolumeClaimList:
		return &corev1.PersistentVolumeClaim{}
	case *corev1.ServiceAccountList:
		return &corev1.ServiceAccount{}
	}
	panic(fmt.Sprintf("objectOf: %T", list))
}
