package v1alpha1

import (
	"fmt"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// cond is a condition as the tables spell it: "Status Reason: message".
func cond(s *FunctionStatus, t string) string {
	c := s.GetCondition(t)
	if c == nil {
		return "<none>"
	}
	return fmt.Sprintf("%s %s: %s", c.Status, c.Reason, c.Message)
}

func child(c *ChildStatus) string {
	if c == nil {
		return "<none>"
	}
	return fmt.Sprintf("%s %s %q ref=%s hash=%s", c.State, c.Reason, c.Message, c.ResourceRef, c.ResourceHash)
}

func TestLifecycle(t *testing.T) {
	const img = "registry.example.com/fn/hello@sha256:1111111111111111111111111111111111111111111111111111111111111111"
	for _, tc := range []struct {
		name string
		// marks are applied in order to an empty status.
		marks []func(s *FunctionStatus)
		// want: condition type → "Status Reason: message".
		want                map[string]string
		build, serving, rev string
		ready               bool
	}{{
		name:  "nothing reported yet",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.propagateReady() }},
		want:  map[string]string{ConditionReady: "Unknown Reconciling: waiting for Built"},
	}, {
		name:  "build running, serving waits for it",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildRunning("fn-build-abc", "abc") }, (*FunctionStatus).MarkServingWaitingForBuild},
		want: map[string]string{
			ConditionBuilt:        "Unknown Building: BuildRun fn-build-abc is running",
			ConditionServingReady: "Unknown WaitingForBuild: serving starts when the first build succeeds",
			ConditionReady:        "Unknown Building: BuildRun fn-build-abc is running",
		},
		build:   `Building  "" ref=fn-build-abc hash=abc`,
		serving: `Pending WaitingForBuild "serving starts when the first build succeeds" ref= hash=`,
	}, {
		name:  "build running, serving not reported: Ready waits for both",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildRunning("r", "h") }},
		want:  map[string]string{ConditionReady: "Unknown Building: BuildRun r is running", ConditionServingReady: "<none>"},
		build: `Building  "" ref=r hash=h`,
	}, {
		name:  "built, serving not reported",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildSucceeded("r", "h", img) }},
		want: map[string]string{
			ConditionBuilt: "True BuildRunSucceeded: built " + img,
			ConditionReady: "Unknown Reconciling: waiting for ServingReady",
		},
		build: `Succeeded  "" ref=r hash=h`, rev: img,
	}, {
		name: "built and serving: Ready",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r", "h", img) },
			func(s *FunctionStatus) { s.MarkServingStarting("fn", "s1") },
			func(s *FunctionStatus) { s.MarkServingReady(ReasonKnativeServiceReady, "Knative Service fn is ready") },
		},
		want: map[string]string{
			ConditionServingReady: "True KnativeServiceReady: Knative Service fn is ready",
			ConditionReady:        "True Ready: built and serving",
		},
		build: `Succeeded  "" ref=r hash=h`, serving: `Running  "" ref=fn hash=s1`, rev: img, ready: true,
	}, {
		name: "serving on its way",
		marks: []func(*FunctionStatus){
			(*FunctionStatus).MarkBuildSkipped,
			func(s *FunctionStatus) { s.MarkServingStarting("fn", "s1") },
			func(s *FunctionStatus) { s.MarkServingNotReady(ReasonDeploymentUnavailable, "waiting") },
		},
		want: map[string]string{
			ConditionBuilt:        "True NoBuild: spec.build is not set: spec.image is served as is",
			ConditionServingReady: "Unknown DeploymentUnavailable: waiting",
			ConditionReady:        "Unknown DeploymentUnavailable: waiting",
		},
		build: `Skipped  "" ref= hash=`, serving: `Starting  "" ref=fn hash=s1`,
	}, {
		name: "serving failed after it was ready",
		marks: []func(*FunctionStatus){
			(*FunctionStatus).MarkBuildSkipped,
			func(s *FunctionStatus) { s.MarkServingStarting("fn", "s1") },
			func(s *FunctionStatus) { s.MarkServingReady("R", "ok") },
			func(s *FunctionStatus) {
				s.MarkServingFailed("RevisionFailed", "Knative Service fn: image pull failed")
			},
		},
		want: map[string]string{
			ConditionServingReady: "False RevisionFailed: Knative Service fn: image pull failed",
			ConditionReady:        "False RevisionFailed: Knative Service fn: image pull failed",
		},
		serving: `Failed  "" ref=fn hash=s1`, build: `Skipped  "" ref= hash=`,
	}, {
		name:  "serving failed before anything was applied",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkServingFailed(ReasonGatewayConfigNotFound, "no ConfigMap") }},
		want: map[string]string{
			ConditionBuilt:        "<none>",
			ConditionServingReady: "False GatewayConfigNotFound: no ConfigMap",
			ConditionReady:        "False GatewayConfigNotFound: no ConfigMap",
		},
		serving: `Failed  "" ref= hash=`,
	}, {
		name: "a failed build keeps the last good image; False beats True and Unknown",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r1", "h1", img) },
			func(s *FunctionStatus) { s.MarkServingReady("R", "ok") },
			func(s *FunctionStatus) { s.MarkBuildRunFailed("r2", "h2", "Failed", "step-build exited 1") },
		},
		want: map[string]string{
			ConditionBuilt: "False BuildRunFailed: BuildRun r2 failed: Failed: step-build exited 1 (kubectl logs of its pod show the build output)",
			ConditionReady: "False BuildRunFailed: BuildRun r2 failed: Failed: step-build exited 1 (kubectl logs of its pod show the build output)",
		},
		build: `Failed Failed "step-build exited 1" ref=r2 hash=h2`, serving: `Running  "" ref= hash=`, rev: img,
	}, {
		name: "an unknown language: Built and Ready False, the last good image kept",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r1", "h1", img) },
			func(s *FunctionStatus) { s.MarkUnknownLanguage(`spec.build.language: "cobol" has no builder`) },
		},
		want: map[string]string{
			ConditionBuilt: `False UnknownLanguage: spec.build.language: "cobol" has no builder`,
			ConditionReady: `False UnknownLanguage: spec.build.language: "cobol" has no builder`,
		},
		build: `Failed UnknownLanguage "spec.build.language: \"cobol\" has no builder" ref= hash=`, rev: img,
	}, {
		name: "build failed with the strategy's error: it leads the message",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) {
			s.MarkBuildRunStepFailed("r", "h", "Failed", "step failed", "main.go:3: syntax error")
		}},
		want:  map[string]string{ConditionBuilt: "False BuildRunFailed: BuildRun r failed: main.go:3: syntax error (Failed: step failed)"},
		build: `Failed Failed "main.go:3: syntax error" ref=r hash=h`,
	}, {
		name: "the source could not be fetched: the source named, Shipwright's reason and message",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r1", "h1", img) },
			func(s *FunctionStatus) {
				s.MarkSourceFetchFailed("r", "h", "http://git.example/missing.git", "GitRemoteRepositoryNotFound", "The source repository does not exist.")
			},
		},
		want:  map[string]string{ConditionBuilt: "False SourceFetchFailed: BuildRun r could not fetch the source http://git.example/missing.git: GitRemoteRepositoryNotFound: The source repository does not exist. (kubectl logs of its pod's step-source-default container show the step's output)"},
		build: `Failed GitRemoteRepositoryNotFound "The source repository does not exist." ref=r hash=h`, rev: img,
	}, {
		name: "the builder image could not be pulled",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuilderImagePullFailed("r", "h", "reg.example/b:1", "pull failed") },
		},
		want:  map[string]string{ConditionReady: "False BuilderImagePullFailed: BuildRun r could not pull an image of its build pod (the builder is reg.example/b:1): pull failed; push the builder there (kiln publish), or set spec.build.builder or the controller's --builder LANGUAGE=IMAGE to one the cluster can pull (spec.build.builderCredentials for a private registry)"},
		build: `Failed BuilderImagePullFailed "pull failed" ref=r hash=h`,
	}, {
		name:  "build failed without Shipwright's reason or message",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildRunFailed("r", "h", "", "pod evicted") }},
		want:  map[string]string{ConditionBuilt: "False BuildRunFailed: BuildRun r failed: pod evicted (kubectl logs of its pod show the build output)"},
		build: `Failed  "pod evicted" ref=r hash=h`,
	}, {
		name:  "build failed with a reason only",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildRunFailed("r", "h", "PodEvicted", "") }},
		want:  map[string]string{ConditionBuilt: "False BuildRunFailed: BuildRun r failed: PodEvicted (kubectl logs of its pod show the build output)"},
		build: `Failed PodEvicted "" ref=r hash=h`,
	}, {
		name:  "build timed out",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildRunTimedOut("r", "h", "BuildRun exceeded 10m") }},
		want: map[string]string{
			ConditionBuilt: "False BuildRunTimeout: BuildRun r timed out: BuildRun exceeded 10m (raise spec.build.timeout, or see its pod's logs)",
			ConditionReady: "False BuildRunTimeout: BuildRun r timed out: BuildRun exceeded 10m (raise spec.build.timeout, or see its pod's logs)",
		},
		build: `Timeout BuildRunTimeout "BuildRun exceeded 10m" ref=r hash=h`,
	}, {
		name:  "build without a digest",
		marks: []func(*FunctionStatus){func(s *FunctionStatus) { s.MarkBuildNoDigest("r", "h") }},
		want:  map[string]string{ConditionBuilt: "False NoDigest: BuildRun r succeeded without an output digest"},
		build: `Failed NoDigest "BuildRun r succeeded without an output digest" ref=r hash=h`,
	}, {
		name: "build could not start: the BuildRun before stays described",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r", "h", img) },
			func(s *FunctionStatus) { s.MarkBuildFailed(ReasonAPINotInstalled, "BuildRun x: install Shipwright") },
		},
		want:  map[string]string{ConditionBuilt: "False APINotInstalled: BuildRun x: install Shipwright", ConditionReady: "False APINotInstalled: BuildRun x: install Shipwright"},
		build: `Succeeded  "" ref=r hash=h`, rev: img,
	}, {
		name: "serving needs an API the cluster does not serve: Failed, Ready False with the same message",
		marks: []func(*FunctionStatus){
			(*FunctionStatus).MarkBuildSkipped,
			func(s *FunctionStatus) {
				s.MarkServingFailed(ReasonAPINotInstalled, "serving.knative.dev/v1 Service web: the cluster does not serve this API; install Knative Serving")
			},
		},
		want: map[string]string{
			ConditionServingReady: "False APINotInstalled: serving.knative.dev/v1 Service web: the cluster does not serve this API; install Knative Serving",
			ConditionReady:        "False APINotInstalled: serving.knative.dev/v1 Service web: the cluster does not serve this API; install Knative Serving",
		},
		build: `Skipped  "" ref= hash=`, serving: `Failed  "" ref= hash=`,
	}, {
		name: "invalid spec stops both, Ready says why",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildSucceeded("r", "h", img) },
			func(s *FunctionStatus) { s.MarkServingReady("R", "ok") },
			func(s *FunctionStatus) { s.MarkInvalidSpec("spec.image: Required value") },
		},
		want: map[string]string{
			ConditionBuilt:        "False InvalidSpec: spec.image: Required value",
			ConditionServingReady: "False InvalidSpec: spec.image: Required value",
			ConditionReady:        "False InvalidSpec: spec.image: Required value",
		},
		build: `Succeeded  "" ref=r hash=h`, serving: `Running  "" ref= hash=`, rev: img,
	}, {
		name: "fixed spec: Ready follows",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkInvalidSpec("bad") },
			(*FunctionStatus).MarkBuildSkipped,
			(*FunctionStatus).MarkServingSkipped,
		},
		want: map[string]string{
			ConditionServingReady: "True NoServing: spec.serving is not set",
			ConditionReady:        "True Ready: built and serving",
		},
		build: `Skipped  "" ref= hash=`, serving: `Skipped  "" ref= hash=`, ready: true,
	}, {
		name: "serving False beats build Unknown",
		marks: []func(*FunctionStatus){
			func(s *FunctionStatus) { s.MarkBuildRunning("r", "h") },
			func(s *FunctionStatus) { s.MarkServingFailed(ReasonRejected, "the API server rejected it") },
		},
		want:  map[string]string{ConditionReady: "False Rejected: the API server rejected it"},
		build: `Building  "" ref=r hash=h`, serving: `Failed  "" ref= hash=`,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			var s FunctionStatus
			for _, m := range tc.marks {
				m(&s)
			}
			for typ, want := range tc.want {
				if got := cond(&s, typ); got != want {
					t.Errorf("%s:\n got %s\nwant %s", typ, got, want)
				}
			}
			if tc.build != "" && child(s.Build) != tc.build {
				t.Errorf("status.build: %s, want %s", child(s.Build), tc.build)
			}
			if tc.serving != "" && child(s.Serving) != tc.serving {
				t.Errorf("status.serving: %s, want %s", child(s.Serving), tc.serving)
			}
			rev := ""
			if s.Revision != nil {
				rev = s.Revision.ImageDigest
			}
			if rev != tc.rev {
				t.Errorf("status.revision.imageDigest %q, want %q", rev, tc.rev)
			}
			if s.IsReady() != tc.ready {
				t.Errorf("IsReady() = %v", s.IsReady())
			}
			if len(s.Conditions) > 3 {
				t.Errorf("conditions: %v", s.Conditions)
			}
		})
	}
}

func TestSetAddresses(t *testing.T) {
	for _, tc := range []struct {
		internal, external, url, addrs string
	}{
		{"", "", "", ""},
		{"http://fn.ns.svc.cluster.local", "", "http://fn.ns.svc.cluster.local", "Internal=http://fn.ns.svc.cluster.local"},
		{"http://fn.ns.svc.cluster.local", "http://fn.ns.example.com/", "http://fn.ns.example.com/", "Internal=http://fn.ns.svc.cluster.local External=http://fn.ns.example.com/"},
		{"", "http://fn.ns.example.com/", "http://fn.ns.example.com/", "External=http://fn.ns.example.com/"},
	} {
		s := FunctionStatus{URL: "stale", Addresses: []FunctionAddress{{Type: "Internal", Value: "stale"}}}
		s.SetAddresses(tc.internal, tc.external)
		var addrs []string
		for _, a := range s.Addresses {
			addrs = append(addrs, a.Type+"="+a.Value)
		}
		if s.URL != tc.url || strings.Join(addrs, " ") != tc.addrs {
			t.Errorf("SetAddresses(%q, %q): url %q addresses %v", tc.internal, tc.external, s.URL, addrs)
		}
	}
}

// TestConditionTransitionTime: a condition keeps its transition time while
// its status stays, and gets a new one when the status changes.
func TestConditionTransitionTime(t *testing.T) {
	var s FunctionStatus
	s.MarkBuildRunning("r", "h")
	old := metav1.NewTime(metav1.Now().Add(-3600e9))
	s.GetCondition(ConditionBuilt).LastTransitionTime = old
	s.MarkBuildRunning("r", "h")
	if got := s.GetCondition(ConditionBuilt).LastTransitionTime; !got.Equal(&old) {
		t.Errorf("same status: transition time moved to %v", got)
	}
	s.MarkBuildNoDigest("r", "h")
	if got := s.GetCondition(ConditionBuilt).LastTransitionTime; got.Equal(&old) {
		t.Error("status changed: transition time kept")
	}
}
