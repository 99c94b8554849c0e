package reconciler

import (
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// TestServingReady reads each workload's readiness as the API server
// answered it.
func TestServingReady(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "hello", Namespace: ns}
	for _, tc := range []struct {
		name     string
		workload client.Object
		want     string
	}{
		{"a Deployment with an available replica", &appsv1.Deployment{ObjectMeta: meta, Status: appsv1.DeploymentStatus{AvailableReplicas: 2}}, "True DeploymentAvailable: Deployment hello: 2 available"},
		{"a Deployment scaled to zero", &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Replicas: ptrTo(int32(0))}}, "True DeploymentAvailable: Deployment hello: 0 available"},
		{"a Deployment starting", &appsv1.Deployment{ObjectMeta: meta, Spec: appsv1.DeploymentSpec{Replicas: ptrTo(int32(1))}}, "Unknown DeploymentUnavailable: waiting for Deployment hello to have an available replica"},
		{"a StatefulSet with a ready replica", &appsv1.StatefulSet{ObjectMeta: meta, Status: appsv1.StatefulSetStatus{ReadyReplicas: 1}}, "True StatefulSetReady: StatefulSet hello: 1 ready"},
		{"a StatefulSet starting", &appsv1.StatefulSet{ObjectMeta: meta, Status: appsv1.StatefulSetStatus{Replicas: 1}}, "Unknown StatefulSetNotReady: waiting for StatefulSet hello to have a ready replica"},
		{"a ScaledJob", &kedav1alpha1.ScaledJob{ObjectMeta: meta}, "True ScaledJobCreated: KEDA starts Jobs when its triggers fire"},
	} {
		status, reason, msg, url := servingReady(tc.workload)
		if got := string(status) + " " + reason + ": " + msg; got != tc.want || url != "" {
			t.Errorf("%s: %s (url %q), want %s", tc.name, got, url, tc.want)
		}
	}
}
