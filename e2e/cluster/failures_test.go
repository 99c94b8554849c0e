package cluster

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
)

// failuresNS keeps the failing Functions apart from the other features'.
const failuresNS = "failures"

// failuresFeature: what the real Shipwright, Tekton and Knative report
// for a Function that cannot run, as its status conditions: a compile
// error (Built=False BuildRunFailed, the compiler's file:line in the
// message, and kiln deploy exits with it), an image that crashes on start
// (ServingReady=False RevisionFailed, the container's last words in the
// message), a builder image the node registry does not have (Built=False
// BuilderImagePullFailed naming it), and a language with no builder
// (Built=False UnknownLanguage).
func failuresFeature() features.Feature {
	var kiln, src, bundle string
	return features.New("failure paths: status conditions from the real components").
		Assess("up --with kiln", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			kiln = upWithKiln(t, 1)
			if _, err := kubectl("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+failuresNS+"}\n", "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			// Outlives this step (t.TempDir would not): Teardown removes it.
			dir, err := os.MkdirTemp("", "kiln-e2e-failures-")
			if err != nil {
				t.Fatal(err)
			}
			src = filepath.Join(dir, "broken")
			copyDir(t, filepath.Join(repoRoot, "samples", "go", "hello"), src)
			return ctx
		}).
		Assess("a compile error", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			line := editHello(t, src, `fmt.Fprintf(w, "Hello, %s!\n", name)`, `fmt.Fprintfx(w, "Hello, %s!\n", name)`)
			r := runDeploy(t, kiln, deployArgs{dir: src, target: "HelloWorld", name: "broken", ns: failuresNS})
			compiler := regexp.MustCompile(fmt.Sprintf(`hello\.go:%d:\d+: undefined: fmt\.Fprintfx`, line))
			if r.err == nil || !compiler.MatchString(r.stderr) {
				t.Errorf("kiln deploy of a compile error: exit %v, want a failure that quotes the compiler (%s)", r.err, compiler)
			}
			c := waitCondition(t, "broken", "Built", "False")
			if c.reason != "BuildRunFailed" || !compiler.MatchString(c.message) {
				t.Errorf("Built=False %s: %s; want BuildRunFailed with the compiler's %s", c.reason, c.message, compiler)
			}
			if strings.ContainsRune(c.message, 0x1b) {
				t.Errorf("the message keeps the build log's terminal colours: %q", c.message)
			}
			t.Logf("compile error: apply -> Built=False %s in %s: %s", c.reason, c.at.Sub(r.applied).Round(time.Millisecond), firstLine(c.message))
			bundle, _ = kubectl("", "-n", failuresNS, "get", "function", "broken", "-o", "jsonpath={.spec.build.srcRepo.bundleContainer.image}")
			return ctx
		}).
		Assess("an image that crashes on start", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			editHello(t, src, `fmt.Fprintfx(`, `fmt.Fprintf(`)
			editHello(t, src, "// HelloWorld answers", "func init() { panic(\"kiln e2e: crash on start\") }\n\n// HelloWorld answers")
			r := runDeploy(t, kiln, deployArgs{dir: src, target: "HelloWorld", name: "broken", ns: failuresNS})
			if r.err == nil {
				t.Errorf("kiln deploy of a function that crashes on start succeeded: %s", r.stdout)
			}
			c := waitCondition(t, "broken", "ServingReady", "False")
			if c.reason != "RevisionFailed" || !strings.Contains(c.message, "crash on start") {
				t.Errorf("ServingReady=False %s: %s; want RevisionFailed with the panic", c.reason, c.message)
			}
			built, _ := kubectl("", "-n", failuresNS, "get", "function", "broken", "-o", `jsonpath={.status.conditions[?(@.type=="Built")].status}`)
			if built != "True" {
				t.Errorf("Built=%q, want True: the build of the crashing function succeeded", built)
			}
			t.Logf("crash on start: apply -> ServingReady=False %s in %s (kiln deploy exited after %s): %s", c.reason,
				c.at.Sub(r.applied).Round(time.Millisecond), r.end.Sub(r.applied).Round(time.Millisecond), firstLine(c.message))
			return ctx
		}).
		Assess("a missing builder image", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if !strings.Contains(bundle, "@sha256:") {
				t.Fatalf("no source bundle from the compile error step: %q", bundle)
			}
			builder := cluster.NodeRegistry(o) + "/kiln/builder-absent:latest"
			fn := fmt.Sprintf(`apiVersion: core.kiln.dev/v1alpha1
kind: Function
metadata: {name: nobuilder, namespace: %s}
spec:
  image: %s/nobuilder
  build:
    builder: %s
    env: {FUNC_NAME: HelloWorld}
    srcRepo: {bundleContainer: {image: %s}}
  serving: {}
`, failuresNS, cluster.NodeRegistry(o), builder, bundle)
			t0 := time.Now()
			if _, err := kubectl(fn, "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			c := waitCondition(t, "nobuilder", "Built", "False")
			if c.reason != "BuilderImagePullFailed" || !strings.Contains(c.message, builder) {
				t.Errorf("Built=False %s: %s; want BuilderImagePullFailed naming %s", c.reason, c.message, builder)
			}
			t.Logf("missing builder image: apply -> Built=False %s in %s: %s", c.reason, c.at.Sub(t0).Round(time.Millisecond), firstLine(c.message))
			return ctx
		}).
		Assess("an unknown language", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			fn := fmt.Sprintf(`apiVersion: core.kiln.dev/v1alpha1
kind: Function
metadata: {name: cobol, namespace: %s}
spec:
  image: %s/cobol
  build:
    language: cobol
    env: {FUNC_NAME: HELLO}
    srcRepo: {bundleContainer: {image: %s}}
  serving: {}
`, failuresNS, cluster.NodeRegistry(o), bundle)
			t0 := time.Now()
			if _, err := kubectl(fn, "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			c := waitCondition(t, "cobol", "Built", "False")
			if c.reason != "UnknownLanguage" || !strings.Contains(c.message, `"cobol" has no builder`) {
				t.Errorf("Built=False %s: %s; want UnknownLanguage", c.reason, c.message)
			}
			if out, err := kubectl("", "-n", failuresNS, "get", "builds.shipwright.io", "-o", "name"); err != nil || strings.Contains(out, "/cobol-build") {
				t.Errorf("a Function with an unknown language got a Build: %q %v", out, err)
			}
			t.Logf("unknown language: apply -> Built=False %s in %s: %s", c.reason, c.at.Sub(t0).Round(time.Millisecond), firstLine(c.message))
			return ctx
		}).
		Teardown(func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if src != "" {
				os.RemoveAll(filepath.Dir(src))
			}
			if _, err := kubectl("", "-n", failuresNS, "delete", "functions", "--all", "--wait=false"); err != nil {
				t.Error(err)
			}
			return ctx
		}).Feature()
}

// editHello replaces old by new in src/hello.go and returns the line new
// starts on.
func editHello(t *testing.T, src, old, new string) int {
	t.Helper()
	p := filepath.Join(src, "hello.go")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	i := bytes.Index(b, []byte(old))
	if i < 0 {
		t.Fatalf("%s has no %q", p, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	return bytes.Count(b[:i], []byte("\n")) + 1
}

// condition is one of a Function's status conditions, and when it was seen.
type condition struct {
	reason, message string
	at              time.Time
}

// waitCondition polls Function name of failuresNS until its condition
// typ has status (for the Function's current generation) and returns it.
func waitCondition(t *testing.T, name, typ, status string) condition {
	t.Helper()
	return waitConditionIn(t, failuresNS, name, typ, status)
}

// waitConditionIn is waitCondition for a Function of namespace ns.
func waitConditionIn(t *testing.T, ns, name, typ, status string) condition {
	t.Helper()
	var c condition
	err := poll(8*time.Minute, func() error {
		out, err := kubectl("", "-n", ns, "get", "function", name, "-o",
			fmt.Sprintf(`jsonpath={.metadata.generation}|{.status.observedGeneration}|{.status.conditions[?(@.type=="%s")].status}|{.status.conditions[?(@.type=="%s")].reason}|{.status.conditions[?(@.type=="%s")].message}`, typ, typ, typ))
		if err != nil {
			return err
		}
		f := strings.SplitN(out, "|", 5)
		if len(f) != 5 || f[0] != f[1] || f[2] != status {
			return fmt.Errorf("%s: %q", typ, out)
		}
		c = condition{reason: f[3], message: f[4], at: time.Now()}
		return nil
	})
	if err != nil {
		diagnoseFunction(t, ns, name)
		t.Fatalf("waited for Function %s/%s %s=%s: %v", ns, name, typ, status, err)
	}
	return c
}

func firstLine(s string) string {
	if len(s) > 300 {
		s = s[:300] + "…"
	}
	return strings.ReplaceAll(s, "\n", " | ")
}
