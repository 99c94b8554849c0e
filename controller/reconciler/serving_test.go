package reconciler

import (
	"testing"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
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
		{"a Knative Service rolling out, no message", knativeService(meta, corev1.ConditionUnknown, "", ""), "Unknown KnativeServiceNotReady: Knative Service hello: not ready yet"},
		{"a Knative Service with a reason only", knativeService(meta, corev1.ConditionUnknown, "RevisionMissing", ""), "Unknown RevisionMissing: Knative Service hello: RevisionMissing"},
		{"a Knative Service failing", knativeService(meta, corev1.ConditionFalse, "RevisionFailed", "Revision hello-00001 failed"), "False RevisionFailed: Knative Service hello: Revision hello-00001 failed"},
		{"a ScaledJob", &kedav1alpha1.ScaledJob{ObjectMeta: meta}, "True ScaledJobCreated: KEDA starts Jobs when its triggers fire"},
	} {
		status, reason, msg, url := servingReady(tc.workload)
		if got := string(status) + " " + reason + ": " + msg; got != tc.want || url != "" {
			t.Errorf("%s: %s (url %q), want %s", tc.name, got, url, tc.want)
		}
	}
}

// knativeService is a Knative Service Knative has looked at, its Ready
// condition as given.
func knativeService(meta metav1.ObjectMeta, status corev1.ConditionStatus, reason, msg string) *servingv1.Service {
	s := &servingv1.Service{ObjectMeta: meta}
	s.Status.Conditions = duckv1.Conditions{{Type: "Ready", Status: status, Reason: reason, Message: msg}}
	return s
}
