package v1alpha1

import (
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestStatusTransitions: every Mark sets Ready with its status and reason,
// replacing the one before, and says what to do.
func TestStatusTransitions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mark   func(*Status)
		status metav1.ConditionStatus
		reason string
		msg    string
	}{
		{"invalid spec", func(s *Status) { s.MarkInvalidSpec("spec.x: Required") }, metav1.ConditionFalse, ReasonInvalidSpec, "spec.x"},
		{"bus not found", func(s *Status) { s.MarkEventBusNotFound("default", "ns") }, metav1.ConditionFalse, ReasonEventBusNotFound,
			"no EventBus default in namespace ns and no ClusterEventBus default"},
		{"bus invalid", func(s *Status) { s.MarkEventBusInvalid("eventbus b: x") }, metav1.ConditionFalse, ReasonEventBusInvalid, "eventbus b"},
		{"sink invalid", func(s *Status) { s.MarkSinkInvalid("sink: y") }, metav1.ConditionFalse, ReasonSinkInvalid, "sink: y"},
		{"topic forbidden", func(s *Status) { s.MarkTopicForbidden(`spec.subscribers[0].topic: Forbidden`) }, metav1.ConditionFalse,
			ReasonTopicForbidden, "spec.subscribers[0].topic"},
		{"function name taken by a user", func(s *Status) { s.MarkNameTaken("Function", "trigger-t", "Trigger", "t", "") },
			metav1.ConditionFalse, ReasonFunctionNameTaken,
			"Function trigger-t exists and is not controlled by Trigger t: the handler of Trigger t needs that name; rename or delete that Function, or rename the Trigger"},
		{"secret name taken by another controller", func(s *Status) {
			s.MarkNameTaken("Secret", "eventsource-e", "EventSource", "e", "Deployment d")
		}, metav1.ConditionFalse, ReasonSecretNameTaken, "Secret eventsource-e exists and is controlled by Deployment d"},
		{"apply failed", func(s *Status) { s.MarkApplyFailed("applying: boom") }, metav1.ConditionFalse, ReasonApplyFailed, "boom"},
		{"function not ready", func(s *Status) { s.MarkFunctionApplied("f", false, "") }, metav1.ConditionUnknown, ReasonFunctionNotReady,
			"waiting for handler Function f"},
		{"ready", func(s *Status) { s.MarkFunctionApplied("f", true, "") }, metav1.ConditionTrue, ReasonReady, "handler Function f is ready"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var s Status
			s.MarkFunctionApplied("f", true, "")
			tc.mark(&s)
			if len(s.Conditions) != 1 {
				t.Fatalf("%d conditions, want Ready only", len(s.Conditions))
			}
			c := s.GetCondition(ConditionReady)
			if c.Status != tc.status || c.Reason != tc.reason || !strings.Contains(c.Message, tc.msg) {
				t.Errorf("Ready = %s %s %q, want %s %s %q", c.Status, c.Reason, c.Message, tc.status, tc.reason, tc.msg)
			}
			if s.IsReady() != (tc.status == metav1.ConditionTrue) {
				t.Errorf("IsReady = %v", s.IsReady())
			}
		})
	}
}
