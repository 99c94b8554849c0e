package kube

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/platform/deploy"
)

// TestDeploy runs kiln deploy's library against the real API server, the
// controller and an in-process registry, playing Shipwright and Knative:
// the source bundle is pushed (with .kilnignore honoured) and is what the
// Build reads, the builder is the language's, the phases arrive in order
// and the URL comes last; a redeploy of changed source makes a new
// BuildRun whose compile error ends the deploy with the compiler's line; a
// deploy nothing builds times out naming the running BuildRun.
func TestDeploy(t *testing.T) {
	f := features.New("kiln deploy: pack, push, apply, follow to the URL").
		Assess("first deploy, a failing redeploy, a timeout", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			reg := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
			defer reg.Close()
			regAddr := strings.TrimPrefix(reg.URL, "http://")
			ns := namespace(t, "deploy")
			src := t.TempDir()
			for name, body := range map[string]string{
				"go.mod": "module example.com/hello\n\ngo 1.25\n", "hello.go": "package hello\n",
				".kilnignore": "secrets.txt\n", "secrets.txt": "do not ship\n",
			} {
				if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			opts := deploy.Options{Dir: src, Target: "HelloWorld", Name: "hello", Namespace: ns, Registry: regAddr,
				Client: cl, Timeout: 2 * wait, Poll: 50 * time.Millisecond}

			// First deploy: Shipwright and Knative played once the objects exist.
			res, phases, err := deployWhile(ctx, opts, func() {
				fn := buildSucceedsAfter(t, ns, "hello", func(b *shp.Build) {
					if b.Spec.Source == nil || b.Spec.Source.OCIArtifact == nil || !strings.HasPrefix(b.Spec.Source.OCIArtifact.Image, regAddr+"/hello-source@sha256:") {
						t.Errorf("Build source %s, want the pushed bundle by digest", dump(b.Spec.Source))
						return
					}
					files := bundleFiles(t, b.Spec.Source.OCIArtifact.Image)
					if files["hello.go"] != "package hello\n" || files["go.mod"] == "" || files["secrets.txt"] != "" || files[".kilnignore"] == "" {
						t.Errorf("bundle files %v: want go.mod, hello.go, .kilnignore and not secrets.txt", keysOf(files))
					}
					if p := paramValue(b, "KILN_BUILDER_IMAGE"); p != testBuilders["go"] {
						t.Errorf("KILN_BUILDER_IMAGE %q, want the Go builder %q", p, testBuilders["go"])
					}
					if p := paramValue(b, "ENV_VARS"); p != "FUNC_NAME=HelloWorld\n" {
						t.Errorf("ENV_VARS %q", p)
					}
				})
				if fn.Spec.Build.Language != "go" {
					t.Errorf("spec.build.language %q, want go (detected from go.mod)", fn.Spec.Build.Language)
				}
				playKnative(t, ns, "hello")
			})
			if err != nil {
				t.Fatalf("deploy: %v\nphases:\n%s", err, strings.Join(phases, "\n"))
			}
			if want := fmt.Sprintf("http://hello.%s.svc.cluster.local", ns); res.URL != want || res.Image != regAddr+"/hello@"+digest1 {
				t.Fatalf("result %+v, want URL %s and image %s/hello@%s", res, want, regAddr, digest1)
			}
			inOrder(t, phases, "source: language go (go.mod)", "source: pushed 3 files", "apply: Function "+ns+"/hello applied",
				"build: BuildRun hello-build-", "build: image "+regAddr+"/hello@"+digest1, "serving: Knative Service hello is ready", "ready: "+res.URL)

			// A redeploy of changed source: a new BuildRun, failed with the
			// compiler's line the strategy reports.
			if err := os.WriteFile(filepath.Join(src, "hello.go"), []byte("package hello\nfunc x( {\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			first := res
			_, phases, err = deployWhile(ctx, opts, func() {
				var fn v1alpha1.Function
				eventually(t, wait, "a new BuildRun", func() error {
					if err := get(ctx, ns, "hello", &fn); err != nil {
						return err
					}
					if fn.Status.Build == nil || fn.Status.Build.State != v1alpha1.StateBuilding {
						return fmt.Errorf("status.build %s", dump(fn.Status.Build))
					}
					return nil
				})
				var br shp.BuildRun
				play(t, ns, fn.Status.Build.ResourceRef, &br, func() {
					now := metav1.Now()
					br.Status.Conditions = shp.Conditions{{Type: shp.Succeeded, Status: corev1.ConditionFalse, Reason: "Failed",
						Message: "buildrun step step-build-and-push failed", LastTransitionTime: now}}
					br.Status.FailureDetails = &shp.FailureDetails{Reason: "BuildFailed", Message: "./hello.go:2:8: syntax error: unexpected {"}
					br.Status.CompletionTime = &now
				})
			})
			var failed *deploy.FailedError
			if !errors.As(err, &failed) || !strings.Contains(err.Error(), "the build failed: BuildRunFailed: BuildRun hello-build-") ||
				!strings.Contains(err.Error(), "./hello.go:2:8: syntax error: unexpected {") {
				t.Fatalf("redeploy: %v, want the compile error\nphases:\n%s", err, strings.Join(phases, "\n"))
			}
			var fn v1alpha1.Function
			if err := get(ctx, ns, "hello", &fn); err != nil || fn.Status.Revision == nil || fn.Status.Revision.ImageDigest != first.Image {
				t.Fatalf("after the failed build, serving is on %s, want the last good %s (%v)", dump(fn.Status.Revision), first.Image, err)
			}

			// Nothing builds: the timeout names the running BuildRun.
			opts.Name, opts.Timeout = "stuck", time.Second
			_, _, err = deployWhile(ctx, opts, func() {})
			if err == nil || !strings.Contains(err.Error(), "Function "+ns+"/stuck: timed out waiting for the build: BuildRun stuck-build-") {
				t.Fatalf("stuck deploy: %v, want a timeout naming the BuildRun", err)
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}

// deployWhile runs deploy.Deploy while play plays the cluster's controllers,
// and returns what it returned and the phases it reported.
func deployWhile(ctx context.Context, o deploy.Options, play func()) (*deploy.Result, []string, error) {
	var mu sync.Mutex
	var phases []string
	o.Progress = func(p deploy.Phase) {
		mu.Lock()
		defer mu.Unlock()
		phases = append(phases, p.Step+": "+p.Message)
	}
	type out struct {
		res *deploy.Result
		err error
	}
	done := make(chan out, 1)
	go func() {
		res, err := deploy.Deploy(ctx, o)
		done <- out{res, err}
	}()
	play()
	r := <-done
	mu.Lock()
	defer mu.Unlock()
	return r.res, phases, r.err
}

// buildSucceedsAfter waits for the Function's BuildRun, checks its Build,
// and marks the BuildRun succeeded with digest1.
func buildSucceedsAfter(t *testing.T, ns, name string, check func(*shp.Build)) *v1alpha1.Function {
	t.Helper()
	var b shp.Build
	eventually(t, wait, "Build", func() error { return get(context.Background(), ns, name+"-build", &b) })
	check(&b)
	return buildSucceeds(t, ns, name, digest1)
}

func paramValue(b *shp.Build, name string) string {
	for _, p := range b.Spec.ParamValues {
		if p.Name == name && p.SingleValue != nil && p.SingleValue.Value != nil {
			return *p.SingleValue.Value
		}
	}
	return ""
}

// bundleFiles pulls a source bundle and returns its regular files' contents.
func bundleFiles(t *testing.T, ref string) map[string]string {
	t.Helper()
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	img, err := remote.Image(r)
	if err != nil {
		t.Fatalf("pulling the source bundle %s: %v", ref, err)
	}
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			b, _ := io.ReadAll(tr)
			files[h.Name] = string(b)
		}
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// inOrder checks each want prefixes a phase, in this order.
func inOrder(t *testing.T, phases []string, want ...string) {
	t.Helper()
	i := 0
	for _, p := range phases {
		if i < len(want) && strings.HasPrefix(p, want[i]) {
			i++
		}
	}
	if i < len(want) {
		t.Errorf("phases:\n%s\nmissing (in order) %q", strings.Join(phases, "\n"), want[i])
	}
}
