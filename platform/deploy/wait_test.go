package deploy

import (
	"errors"
	"strings"
	"testing"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

const digest = "reg.example/hello@sha256:1111111111111111111111111111111111111111111111111111111111111111"

func TestObserve(t *testing.T) {
	key := client.ObjectKey{Namespace: "default", Name: "hello"}
	for _, c := range []struct {
		name string
		// statuses are seen in turn; the last decides.
		statuses []func(*v1alpha1.FunctionStatus)
		done     bool
		wantErr  string
		phases   []string // "step: message", in order
		stuck    string
		async    bool
	}{{
		name:     "an older generation's status is not looked at",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) { s.ObservedGeneration = 1; ready(s) }},
		stuck:    "the controller to pick up generation 2",
	}, {
		name: "build, digest, serving, URL",
		statuses: []func(*v1alpha1.FunctionStatus){
			func(s *v1alpha1.FunctionStatus) {
				s.MarkBuildRunning("hello-build-abc", "abc")
				s.MarkServingWaitingForBuild()
			},
			func(s *v1alpha1.FunctionStatus) { s.MarkBuildRunning("hello-build-abc", "abc") },
			func(s *v1alpha1.FunctionStatus) {
				s.MarkBuildSucceeded("hello-build-abc", "abc", digest)
				s.MarkServingNotReady("Deploying", "Knative Service hello: waiting for the revision")
			},
			ready,
		},
		done: true,
		phases: []string{"build: BuildRun hello-build-abc is running", "build: image " + digest,
			"serving: Knative Service hello: waiting for the revision", "serving: Knative Service hello is ready", "ready: http://hello.default.fn.example.com"},
	}, {
		name: "a compile error ends it with the condition",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) {
			s.MarkBuildRunStepFailed("hello-build-abc", "abc", "Failed", "step failed", "./hello.go:3: undefined: x")
		}},
		done: true, wantErr: "Function default/hello: the build failed: BuildRunFailed: BuildRun hello-build-abc failed: ./hello.go:3: undefined: x (Failed: step failed) (kubectl describe function hello -n default)",
	}, {
		name:     "an unknown language",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) { s.MarkUnknownLanguage(`spec.build.language: "cobol"`) }},
		done:     true, wantErr: `the build failed: UnknownLanguage: spec.build.language: "cobol"`,
	}, {
		name: "a failed revision",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) {
			s.MarkBuildSucceeded("r", "h", digest)
			s.MarkServingFailed("RevisionFailed", "Knative Service hello: Revision hello-00001 failed")
		}},
		done: true, wantErr: "Function default/hello: serving failed: RevisionFailed: Knative Service hello: Revision hello-00001 failed",
	}, {
		name: "ready without a URL waits for one",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) {
			ready(s)
			s.URL = ""
		}},
		stuck: "a URL in status.url",
	}, {
		name:  "an async Function is done when Ready, with no URL",
		async: true,
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) {
			ready(s)
			s.URL = ""
		}},
		done:   true,
		phases: []string{"build: image " + digest, "serving: Knative Service hello is ready", "ready: Function default/hello (async: no URL; it runs on its triggers)"},
	}, {
		name:  "an async Function not Ready yet waits",
		async: true,
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) {
			ready(s)
			s.MarkServingNotReady("Deploying", "Deployment hello: 0 available")
		}},
		stuck: "serving: Deploying: Deployment hello: 0 available",
	}, {
		name:     "a running build is what a timeout names",
		statuses: []func(*v1alpha1.FunctionStatus){func(s *v1alpha1.FunctionStatus) { s.MarkBuildRunning("hello-build-abc", "abc") }},
		phases:   []string{"build: BuildRun hello-build-abc is running"},
		stuck:    "the build: BuildRun hello-build-abc is running (kubectl get buildrun -n default)",
	}} {
		t.Run(c.name, func(t *testing.T) {
			var phases []string
			w := &watcher{progress: func(p Phase) { phases = append(phases, p.Step+": "+p.Message) }, seen: map[string]bool{},
				stuck: "the controller to pick up generation 2", async: c.async}
			var done bool
			var err error
			for _, mk := range c.statuses {
				st := &v1alpha1.FunctionStatus{ObservedGeneration: 2}
				mk(st)
				done, err = w.observe(key, 2, st)
			}
			if done != c.done {
				t.Errorf("done %v, want %v", done, c.done)
			}
			if c.wantErr == "" && err != nil || c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)) {
				t.Fatalf("err %v, want %q", err, c.wantErr)
			}
			if c.wantErr != "" {
				var failed *FailedError
				if !errors.As(err, &failed) {
					t.Errorf("%T, want a FailedError", err)
				}
			}
			if c.phases != nil && strings.Join(phases, "\n") != strings.Join(c.phases, "\n") {
				t.Errorf("phases:\n%s\nwant:\n%s", strings.Join(phases, "\n"), strings.Join(c.phases, "\n"))
			}
			if c.stuck != "" && !strings.HasPrefix(w.stuck, c.stuck) {
				t.Errorf("stuck on %q, want %q", w.stuck, c.stuck)
			}
		})
	}
}

func ready(s *v1alpha1.FunctionStatus) {
	s.MarkBuildSucceeded("hello-build-abc", "abc", digest)
	s.MarkServingStarting("hello", "h")
	s.MarkServingReady(v1alpha1.ReasonKnativeServiceReady, "Knative Service hello is ready")
	s.SetAddresses("http://hello.default.svc.cluster.local", "http://hello.default.fn.example.com")
}
