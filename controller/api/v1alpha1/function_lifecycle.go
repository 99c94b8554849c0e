package v1alpha1

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Condition types of a Function. Ready is derived from Built and
// ServingReady (propagateReady) and never set on its own.
const (
	ConditionBuilt        = "Built"
	ConditionServingReady = "ServingReady"
	ConditionReady        = "Ready"
)

// States of status.build and status.serving (the BuildState and
// ServingState columns of kubectl get fn).
const (
	StateBuilding  = "Building"
	StateSucceeded = "Succeeded"
	StateFailed    = "Failed"
	StateTimeout   = "Timeout"
	StateSkipped   = "Skipped"
	StatePending   = "Pending"
	StateStarting  = "Starting"
	StateRunning   = "Running"
)

// Reasons of the conditions. The serving workload's own reasons (a Knative
// Service's, say) are passed through where they exist.
const (
	// Spec and cluster problems the user or platform team must fix.
	ReasonInvalidSpec           = "InvalidSpec"
	ReasonInvalidBuild          = "InvalidBuild"
	ReasonInvalidServing        = "InvalidServing"
	ReasonGatewayConfigNotFound = "GatewayConfigNotFound"
	ReasonGatewayConfigInvalid  = "GatewayConfigInvalid"
	ReasonGatewayConfigDenied   = "GatewayConfigDenied"
	ReasonAPINotInstalled       = "APINotInstalled"
	ReasonRejected              = "Rejected"
	ReasonForbidden             = "Forbidden"

	// The build.
	ReasonNoBuild           = "NoBuild"
	ReasonUnknownLanguage   = "UnknownLanguage"
	ReasonStrategyNotFound  = "BuildStrategyNotFound"
	ReasonUndeclaredParam   = "UndeclaredParameter"
	ReasonBuilding          = "Building"
	ReasonBuildRunSucceeded = "BuildRunSucceeded"
	ReasonBuildRunFailed    = "BuildRunFailed"
	// ReasonSourceFetchFailed: the build pod could not fetch the source
	// (Shipwright's source step failed: a Git clone, a bundle pull).
	ReasonSourceFetchFailed = "SourceFetchFailed"
	ReasonBuilderPullFailed = "BuilderImagePullFailed"
	ReasonBuildRunTimeout   = "BuildRunTimeout"
	ReasonNoDigest          = "NoDigest"

	// Serving.
	ReasonNoServing              = "NoServing"
	ReasonWaitingForBuild        = "WaitingForBuild"
	ReasonKnativeServiceReady    = "KnativeServiceReady"
	ReasonKnativeServiceNotReady = "KnativeServiceNotReady"
	ReasonKnativeServiceFailed   = "KnativeServiceFailed"
	// ReasonRevisionFailed is Knative's reason for a revision that fails;
	// the controller also gives it as soon as the function's container
	// crash-loops, before Knative's progress deadline.
	ReasonRevisionFailed        = "RevisionFailed"
	ReasonDeploymentAvailable   = "DeploymentAvailable"
	ReasonDeploymentUnavailable = "DeploymentUnavailable"
	ReasonStatefulSetReady      = "StatefulSetReady"
	ReasonStatefulSetNotReady   = "StatefulSetNotReady"
	ReasonScaledJobCreated      = "ScaledJobCreated"
	// The route: the Gateway has not reported on the HTTPRoute's
	// generation yet; it refused it; it could not resolve its backends.
	ReasonRouteNotReady       = "RouteNotReady"
	ReasonRouteNotAccepted    = "RouteNotAccepted"
	ReasonRouteRefsUnresolved = "RouteRefsUnresolved"

	// Ready.
	ReasonReady       = "Ready"
	ReasonReconciling = "Reconciling"
)

// GetCondition is the condition of type t, or nil.
func (s *FunctionStatus) GetCondition(t string) *metav1.Condition {
	return meta.FindStatusCondition(s.Conditions, t)
}

// IsReady says whether the Function is built and serving.
func (s *FunctionStatus) IsReady() bool {
	return meta.IsStatusConditionTrue(s.Conditions, ConditionReady)
}

// MarkInvalidSpec records a spec the controller cannot act on (messages name
// the fields at fault): neither the build nor serving proceeds, what runs
// keeps running.
func (s *FunctionStatus) MarkInvalidSpec(msg string) {
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonInvalidSpec, msg)
	s.set(ConditionServingReady, metav1.ConditionFalse, ReasonInvalidSpec, msg)
}

// MarkBuildSkipped records a Function without spec.build: spec.image is
// served as is.
func (s *FunctionStatus) MarkBuildSkipped() {
	s.Build = &ChildStatus{State: StateSkipped}
	s.set(ConditionBuilt, metav1.ConditionTrue, ReasonNoBuild, "spec.build is not set: spec.image is served as is")
}

// MarkBuildRunning records BuildRun run (for build hash) started or running.
func (s *FunctionStatus) MarkBuildRunning(run, hash string) {
	s.Build = &ChildStatus{State: StateBuilding, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionUnknown, ReasonBuilding, "BuildRun "+run+" is running")
}

// MarkBuildSucceeded records BuildRun run built image (pinned by digest):
// serving rolls forward to it.
func (s *FunctionStatus) MarkBuildSucceeded(run, hash, image string) {
	s.Build = &ChildStatus{State: StateSucceeded, ResourceRef: run, ResourceHash: hash}
	s.Revision = &Revision{ImageDigest: image}
	s.set(ConditionBuilt, metav1.ConditionTrue, ReasonBuildRunSucceeded, "built "+image)
}

// MarkBuildRunFailed records BuildRun run failed; reason and msg are
// Shipwright's. Serving stays on the last good image (status.revision).
func (s *FunctionStatus) MarkBuildRunFailed(run, hash, reason, msg string) {
	s.Build = &ChildStatus{State: StateFailed, Reason: reason, Message: msg, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonBuildRunFailed, fmt.Sprintf("BuildRun %s failed: %s (kubectl logs of its pod show the build output)", run, describe(reason, msg)))
}

// MarkBuildRunStepFailed records BuildRun run failed with the build's own
// error: buildError is what the strategy reported (status.failureDetails;
// Kiln's strategy writes the build output's error lines there, the
// compiler's among them), reason and msg Shipwright's condition.
func (s *FunctionStatus) MarkBuildRunStepFailed(run, hash, reason, msg, buildError string) {
	s.Build = &ChildStatus{State: StateFailed, Reason: reason, Message: buildError, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonBuildRunFailed, fmt.Sprintf("BuildRun %s failed: %s (%s)", run, buildError, describe(reason, msg)))
}

// MarkSourceFetchFailed records BuildRun run failed fetching source (the
// repository URL and revision, or the bundle): reason and msg are what
// Shipwright's source step reported (GitRemoteRepositoryNotFound: The
// source repository does not exist…). Serving stays on the last good image.
func (s *FunctionStatus) MarkSourceFetchFailed(run, hash, source, reason, msg string) {
	s.Build = &ChildStatus{State: StateFailed, Reason: reason, Message: msg, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonSourceFetchFailed, fmt.Sprintf("BuildRun %s could not fetch the source %s: %s (kubectl logs of its pod's step-source-default container show the step's output)",
		run, source, describe(reason, msg)))
}

// MarkBuilderImagePullFailed records BuildRun run failed because an image
// of its build pod could not be pulled (Tekton's TaskRunImagePullFailed):
// builder is the builder image the Function builds with, msg Tekton's
// message naming the step and image.
func (s *FunctionStatus) MarkBuilderImagePullFailed(run, hash, builder, msg string) {
	s.Build = &ChildStatus{State: StateFailed, Reason: ReasonBuilderPullFailed, Message: msg, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonBuilderPullFailed, fmt.Sprintf(
		"BuildRun %s could not pull an image of its build pod (the builder is %s): %s; push the builder there (kiln publish), or set spec.build.builder or the controller's --builder LANGUAGE=IMAGE to one the cluster can pull (spec.build.builderCredentials for a private registry)",
		run, builder, msg))
}

// MarkBuildRunTimedOut records BuildRun run ran out of time.
func (s *FunctionStatus) MarkBuildRunTimedOut(run, hash, msg string) {
	s.Build = &ChildStatus{State: StateTimeout, Reason: ReasonBuildRunTimeout, Message: msg, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonBuildRunTimeout, fmt.Sprintf("BuildRun %s timed out: %s (raise spec.build.timeout, or see its pod's logs)", run, msg))
}

// MarkBuildNoDigest records BuildRun run succeeded without reporting the
// digest it pushed: there is nothing to pin serving to.
func (s *FunctionStatus) MarkBuildNoDigest(run, hash string) {
	msg := "BuildRun " + run + " succeeded without an output digest"
	s.Build = &ChildStatus{State: StateFailed, Reason: ReasonNoDigest, Message: msg, ResourceRef: run, ResourceHash: hash}
	s.set(ConditionBuilt, metav1.ConditionFalse, ReasonNoDigest, msg)
}

// MarkUnknownLanguage records a Function without spec.build.builder whose
// spec.build.language the controller has no builder for: no BuildRun is
// made (status.build is Failed); msg names the field and the known
// languages. Serving stays on the last good image.
func (s *FunctionStatus) MarkUnknownLanguage(msg string) {
	s.buildNotStarted(ReasonUnknownLanguage, msg)
}

// MarkBuildStrategyNotFound records that the (Cluster)BuildStrategy named by
// spec.build.shipwright.strategy is not installed: no Build is made.
func (s *FunctionStatus) MarkBuildStrategyNotFound(msg string) {
	s.buildNotStarted(ReasonStrategyNotFound, msg)
}

// MarkUndeclaredParameter records that the Function passes its strategy a
// parameter it does not declare (Shipwright would refuse the Build): msg
// names the field, the parameter and what the strategy declares.
func (s *FunctionStatus) MarkUndeclaredParameter(msg string) {
	s.buildNotStarted(ReasonUndeclaredParam, msg)
}

// buildNotStarted records a build the controller could not start for a
// reason the user must fix: status.build is Failed with it, serving stays
// on the last good image.
func (s *FunctionStatus) buildNotStarted(reason, msg string) {
	s.Build = &ChildStatus{State: StateFailed, Reason: reason, Message: msg}
	s.set(ConditionBuilt, metav1.ConditionFalse, reason, msg)
}

// MarkBuildFailed records that the build could not be started (its objects
// are invalid, rejected, or their API is missing); reason says which.
func (s *FunctionStatus) MarkBuildFailed(reason, msg string) {
	s.set(ConditionBuilt, metav1.ConditionFalse, reason, msg)
}

// MarkServingSkipped records a Function without spec.serving.
func (s *FunctionStatus) MarkServingSkipped() {
	s.Serving = &ChildStatus{State: StateSkipped}
	s.set(ConditionServingReady, metav1.ConditionTrue, ReasonNoServing, "spec.serving is not set")
}

// MarkServingWaitingForBuild records that nothing is served until the first
// build succeeds.
func (s *FunctionStatus) MarkServingWaitingForBuild() {
	msg := "serving starts when the first build succeeds"
	s.Serving = &ChildStatus{State: StatePending, Reason: ReasonWaitingForBuild, Message: msg}
	s.set(ConditionServingReady, metav1.ConditionUnknown, ReasonWaitingForBuild, msg)
}

// MarkServingStarting records the serving objects applied: ref is the
// workload, hash the hash of what it was made from.
func (s *FunctionStatus) MarkServingStarting(ref, hash string) {
	s.Serving = &ChildStatus{State: StateStarting, ResourceRef: ref, ResourceHash: hash}
}

// MarkServingReady records the workload ready.
func (s *FunctionStatus) MarkServingReady(reason, msg string) {
	s.servingState(StateRunning)
	s.set(ConditionServingReady, metav1.ConditionTrue, reason, msg)
}

// MarkServingNotReady records the workload on its way (not ready, not failed).
func (s *FunctionStatus) MarkServingNotReady(reason, msg string) {
	s.servingState(StateStarting)
	s.set(ConditionServingReady, metav1.ConditionUnknown, reason, msg)
}

// MarkServingFailed records that serving failed: the workload reports a
// failure, or its objects are invalid, rejected, or their API is missing.
func (s *FunctionStatus) MarkServingFailed(reason, msg string) {
	s.servingState(StateFailed)
	s.set(ConditionServingReady, metav1.ConditionFalse, reason, msg)
}

// SetAddresses records where the function is reached: internal is the
// workload's cluster URL, external the route's; status.url is the route's
// when there is one.
func (s *FunctionStatus) SetAddresses(internal, external string) {
	s.Addresses, s.URL = nil, internal
	if internal != "" {
		s.Addresses = append(s.Addresses, FunctionAddress{Type: "Internal", Value: internal})
	}
	if external != "" {
		s.Addresses = append(s.Addresses, FunctionAddress{Type: "External", Value: external})
		s.URL = external
	}
}

func (s *FunctionStatus) servingState(state string) {
	if s.Serving == nil {
		s.Serving = &ChildStatus{}
	}
	s.Serving.State = state
}

// set writes one dependent condition and re-derives Ready.
func (s *FunctionStatus) set(t string, status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: t, Status: status, Reason: reason, Message: msg})
	s.propagateReady()
}

// propagateReady derives Ready from Built and ServingReady, the one place
// Ready is written: False when either is False (Built first), else Unknown
// while either is Unknown or not yet reported, else True.
func (s *FunctionStatus) propagateReady() {
	var unknown *metav1.Condition
	for _, t := range []string{ConditionBuilt, ConditionServingReady} {
		c := s.GetCondition(t)
		switch {
		case c == nil:
			if unknown == nil {
				unknown = &metav1.Condition{Reason: ReasonReconciling, Message: "waiting for " + t}
			}
		case c.Status == metav1.ConditionFalse:
			s.setReady(metav1.ConditionFalse, c.Reason, c.Message)
			return
		case c.Status != metav1.ConditionTrue:
			if unknown == nil {
				unknown = c
			}
		}
	}
	if unknown != nil {
		s.setReady(metav1.ConditionUnknown, unknown.Reason, unknown.Message)
		return
	}
	s.setReady(metav1.ConditionTrue, ReasonReady, "built and serving")
}

func (s *FunctionStatus) setReady(status metav1.ConditionStatus, reason, msg string) {
	meta.SetStatusCondition(&s.Conditions, metav1.Condition{Type: ConditionReady, Status: status, Reason: reason, Message: msg})
}

func describe(reason, msg string) string {
	switch {
	case reason == "":
		return msg
	case msg == "":
		return reason
	}
	return reason + ": " + msg
}
