package v1alpha1

import (
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ConditionReady is the one condition of an EventSource or Trigger: its
// handler Function is applied and Ready.
const ConditionReady = "Ready"

// Reasons of ConditionReady.
const (
	ReasonInvalidSpec      = "InvalidSpec"
	ReasonEventBusNotFound = "EventBusNotFound"
	ReasonEventBusInvalid  = "EventBusInvalid"
	ReasonSinkInvalid      = "SinkInvalid"
	// ReasonTopicForbidden: on a ClusterEventBus, a Trigger's topic or
	// input lies outside its namespace.
	ReasonTopicForbidden = "TopicForbidden"
	// ReasonFunctionNameTaken and ReasonSecretNameTaken: an object of the
	// handler's name exists and is not controlled by this EventSource or
	// Trigger; the controller leaves it alone.
	ReasonFunctionNameTaken = "FunctionNameTaken"
	ReasonSecretNameTaken   = "SecretNameTaken"
	ReasonApplyFailed       = "ApplyFailed"
	ReasonFunctionNotReady  = "FunctionNotReady"
	ReasonReady             = "Ready"
)

// GetCondition is the condition of type t, or nil.
func (s *Status) GetCondition(t string) *metav1.Condition {
	return meta.FindStatusCondition(s.Conditions, t)
}

// IsReady says whether the handler runs.
func (s *Status) IsReady() bool { return meta.IsStatusConditionTrue(s.Conditions, ConditionReady) }

// MarkInvalidSpec records a spec the controller cannot act on; msg names the
// fields at fault. Nothing is applied; what runs keeps running.
func (s *Status) MarkInvalidSpec(msg string) {
	s.set(metav1.ConditionFalse, ReasonInvalidSpec, msg)
}

// MarkEventBusNotFound records that neither an EventBus nor a
// ClusterEventBus of the name exists.
func (s *Status) MarkEventBusNotFound(name, namespace string) {
	s.set(metav1.ConditionFalse, ReasonEventBusNotFound, "no EventBus "+name+" in namespace "+namespace+
		" and no ClusterEventBus "+name+": create one (spec.redis or spec.kafka) or fix spec.eventBus")
}

// MarkEventBusInvalid records a bus whose spec cannot be used.
func (s *Status) MarkEventBusInvalid(msg string) {
	s.set(metav1.ConditionFalse, ReasonEventBusInvalid, msg)
}

// MarkSinkInvalid records a sink that cannot be resolved to a URL.
func (s *Status) MarkSinkInvalid(msg string) { s.set(metav1.ConditionFalse, ReasonSinkInvalid, msg) }

// MarkTopicForbidden records a Trigger that reaches outside its namespace on
// a ClusterEventBus; msg names the fields and the allowed topic prefix.
// Nothing is applied.
func (s *Status) MarkTopicForbidden(msg string) {
	s.set(metav1.ConditionFalse, ReasonTopicForbidden, msg)
}

// MarkNameTaken records that the handler's Function (kind "Function") or
// credentials Secret (kind "Secret") name belongs to an object this
// EventSource or Trigger (kind owner, named ownerName) does not control,
// whose controller is controlledBy ("" for none). Nothing is applied, so
// the object is left as its owner made it.
func (s *Status) MarkNameTaken(kind, name, owner, ownerName, controlledBy string) {
	reason := ReasonFunctionNameTaken
	if kind == "Secret" {
		reason = ReasonSecretNameTaken
	}
	by := "not controlled by " + owner + " " + ownerName
	if controlledBy != "" {
		by = "controlled by " + controlledBy
	}
	s.set(metav1.ConditionFalse, reason, kind+" "+name+" exists and is "+by+
		": the handler of "+owner+" "+ownerName+" needs that name; rename or delete that "+kind+", or rename the "+owner)
}

// MarkApplyFailed records that applying the handler Function failed.
func (s *Status) MarkApplyFailed(msg string) { s.set(metav1.ConditionFalse, ReasonApplyFailed, msg) }

// MarkFunctionApplied records the applied handler Function fn and whether
// it is Ready (msg is its Ready condition's message when not).
func (s *Status) MarkFunctionApplied(fn string, ready bool, msg string) {
	s.Function = fn
	if ready {
		s.set(metav1.ConditionTrue, ReasonReady, "handler Function "+fn+" is ready")
		return
	}
	if msg == "" {
		msg = "waiting for handler Function " + fn
	}
	s.set(metav1.ConditionUnknown, ReasonFunctionNotReady, msg)
}

func (s *Status) set(st metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: ConditionReady, Status: st, Reason: reason, Message: msg})
}
