package cluster

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
	"kiln.dev/kiln/platform/registry"
)

// pipelineNS keeps the Function apart from the other features' objects.
const pipelineNS = "pipeline"

// pipelineFeature: Up with the kiln addon (Kiln's controller built from
// this checkout, the builders relocated into the node registry), then what
// a user runs: `kiln deploy samples/go/hello --target HelloWorld` with
// `kiln cluster env`'s KILN_REGISTRY and KILN_INGRESS, the BuildRun of
// Kiln's strategy with the node registry's builder, the Function Ready and
// its URL (printed with the ingress port) answering through Traefik; a
// source change rebuilt with the Function's build cache, a new digest and
// the traffic on it; the Function deleted and every child gone.
func pipelineFeature() features.Feature {
	var kiln string
	return features.New("the pipeline: kiln deploy to Kiln's controller").
		Assess("up --with kiln", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			kiln = upWithKiln(t, 2)
			return ctx
		}).
		Assess("deploy, rebuild from the cache, delete", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			in, err := url.Parse(cluster.Ingress(o))
			if err != nil || in.Port() == "" {
				t.Fatalf("no ingress: %q %v", cluster.Ingress(o), err)
			}
			if _, err := kubectl("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+pipelineNS+"}\n", "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "hello")
			copyDir(t, filepath.Join(repoRoot, "samples", "go", "hello"), src)
			want := "http://hello." + pipelineNS + "." + cluster.KnativeDomain + ":" + in.Port()

			first := deployAndServe(t, kiln, deployArgs{dir: src, target: "HelloWorld", name: "hello", ns: pipelineNS}, want, "Hello, World!")
			t.Logf("first deploy: apply -> Ready %s (kiln deploy in all %s), image %s", first.applyToReady.Round(time.Millisecond), first.total.Round(time.Millisecond), first.digest)

			hello := filepath.Join(src, "hello.go")
			b, err := os.ReadFile(hello)
			if err != nil {
				t.Fatal(err)
			}
			changed := bytes.Replace(b, []byte(`"Hello, %s!\n"`), []byte(`"Hello again, %s!\n"`), 1)
			if bytes.Equal(changed, b) {
				t.Fatalf("%s has no \"Hello, %%s!\\n\" to change", hello)
			}
			if err := os.WriteFile(hello, changed, 0o644); err != nil {
				t.Fatal(err)
			}
			second := deployAndServe(t, kiln, deployArgs{dir: src, target: "HelloWorld", name: "hello", ns: pipelineNS}, want, "Hello again, World!")
			t.Logf("rebuild after a source change: apply -> Ready %s (kiln deploy in all %s), image %s", second.applyToReady.Round(time.Millisecond), second.total.Round(time.Millisecond), second.digest)
			if second.digest == first.digest {
				t.Fatalf("the rebuild kept digest %s", first.digest)
			}
			cacheLines(t)

			t3 := time.Now()
			if _, err := kubectl("", "-n", pipelineNS, "delete", "function", "hello", "--wait=false"); err != nil {
				t.Fatal(err)
			}
			kinds := "functions.core.kiln.dev,builds.shipwright.io,buildruns.shipwright.io,taskruns.tekton.dev,services.serving.knative.dev," +
				"configurations.serving.knative.dev,revisions.serving.knative.dev,routes.serving.knative.dev,persistentvolumeclaims,pods"
			until(t, "every child of Function hello to be gone", 3*time.Minute, func() error {
				out, err := kubectl("", "-n", pipelineNS, "get", kinds, "-o", "name")
				if err != nil {
					return err
				}
				var left []string
				for _, l := range strings.Split(out, "\n") {
					if strings.Contains(l, "/") {
						left = append(left, l)
					}
				}
				if len(left) > 0 {
					return fmt.Errorf("left: %s", strings.Join(left, " "))
				}
				return nil
			})
			t.Logf("Function deleted -> no Build, BuildRun, TaskRun, pod, PVC or Knative object left: %s", time.Since(t3).Round(time.Millisecond))
			return ctx
		}).Feature()
}

// upWithKiln runs Up with the kiln addon rounds times (the second shows
// the cost of an installed one), checks kiln cluster env, and builds the
// kiln CLI of this checkout.
func upWithKiln(t *testing.T, rounds int) (kiln string) {
	t.Helper()
	seedBuilders(t, o)
	for round := 1; round <= rounds; round++ {
		o2 := o
		o2.Addons = []string{cluster.AddonKiln}
		o2.KilnSource = repoRoot
		t0 := time.Now()
		if err := cluster.Up(o2); err != nil {
			out, _ := kubectl("", "-n", "kiln", "logs", "deploy/kiln-controller", "--tail=40")
			t.Fatalf("up --with kiln (round %d): %v\ncontroller log:\n%s", round, err, out)
		}
		t.Logf("up --with kiln, round %d (node running): %s", round, time.Since(t0).Round(time.Millisecond))
	}
	env := cluster.Env(o)
	if !strings.Contains(env, "export KILN_REGISTRY='"+cluster.NodeRegistry(o)+"'") || cluster.NodeRegistry(o) == "" {
		t.Fatalf("kiln cluster env does not export the node registry as KILN_REGISTRY:\n%s", env)
	}
	return buildKiln(t)
}

// deployRun is one kiln deploy process: what it printed, when it applied
// the Function and ended, how it exited.
type deployRun struct {
	stdout, stderr      string
	start, applied, end time.Time
	err                 error
}

// runDeploy runs `kiln deploy` with kiln cluster env's exports (and no
// KILN_REGISTRY or KILN_INGRESS of the test's own), logging its phases.
func runDeploy(t *testing.T, kiln string, a deployArgs) deployRun {
	t.Helper()
	args := []string{kiln, "deploy"}
	if a.dir != "" { // else a.flags name the source (--git URL)
		args = append(args, a.dir)
	}
	args = append(append(args, "--target", a.target, "--name", a.name, "-n", a.ns, "--timeout", "15m"), a.flags...)
	cmd := exec.Command("sh", append([]string{"-c", cluster.Env(o) + `exec "$@"`, "sh"}, args...)...)
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "KILN_REGISTRY=") && !strings.HasPrefix(e, "KILN_INGRESS=") {
			cmd.Env = append(cmd.Env, e)
		}
	}
	var stdout, log bytes.Buffer
	cmd.Stdout = &stdout
	pr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	r := deployRun{start: time.Now()}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(pr)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		log.WriteString(l + "\n")
		if r.applied.IsZero() && strings.HasPrefix(l, "==> apply:") {
			r.applied = time.Now()
		}
	}
	r.err = cmd.Wait()
	r.end = time.Now()
	r.stdout, r.stderr = stdout.String(), log.String()
	t.Logf("kiln deploy %s:\n%s", strings.Join(args[2:], " "), strings.TrimSpace(r.stderr))
	if r.applied.IsZero() {
		t.Fatalf("kiln deploy printed no apply phase (exit: %v)", r.err)
	}
	return r
}

// deployed is one kiln deploy's outcome.
type deployed struct {
	// firstOK: apply -> the first answer of the printed URL.
	applyToReady, total, firstOK time.Duration
	digest                       string
}

// deployArgs are one kiln deploy's: the source directory ("" when flags
// name a repository), its function, the Function's name and namespace,
// and more flags.
type deployArgs struct {
	dir, target, name, ns string
	flags                 []string
}

// deployAndServe runs `kiln deploy` with kiln cluster env's exports
// (and no KILN_REGISTRY or KILN_INGRESS of the test's own), checks it
// prints wantURL, and curls it until it answers body.
func deployAndServe(t *testing.T, kiln string, a deployArgs, wantURL, body string) deployed {
	t.Helper()
	r := runDeploy(t, kiln, a)
	if r.err != nil {
		diagnoseFunction(t, a.ns, a.name)
		t.Fatalf("kiln deploy: %v\nstdout: %s", r.err, r.stdout)
	}
	applied, end, t0 := r.applied, r.end, r.start
	got := strings.TrimSpace(r.stdout)
	if strings.TrimSuffix(got, "/") != wantURL {
		t.Fatalf("kiln deploy printed %q, want %s (the reachable URL, with the ingress port)", got, wantURL)
	}
	var answer string
	if err := poll(2*time.Minute, func() error {
		b, _, err := curl(strings.TrimSuffix(got, "/") + "/")
		if err == nil && strings.TrimSpace(b) != body {
			err = fmt.Errorf("answered %q", b)
		}
		answer = b
		return err
	}); err != nil {
		diagnoseFunction(t, a.ns, a.name)
		t.Fatalf("waited 2m for %s to answer %q: %v", got, body, err)
	}
	t.Logf("curl %s: %s", strings.TrimSuffix(got, "/")+"/", strings.TrimSpace(answer))
	digest, err := kubectl("", "-n", a.ns, "get", "function", a.name, "-o", "jsonpath={.status.revision.imageDigest}")
	if err != nil || !strings.Contains(digest, "@sha256:") {
		t.Fatalf("Function %s's status.revision.imageDigest = %q (%v)", a.name, digest, err)
	}
	return deployed{applyToReady: end.Sub(applied), total: end.Sub(t0), firstOK: time.Since(applied), digest: digest}
}

// cacheLines logs what the last build said about its cache (the build
// cache PVC carries the toolchain and module caches between builds) and
// fails unless it reused the Go toolchain from it.
func cacheLines(t *testing.T) {
	t.Helper()
	runs, _ := kubectl("", "-n", pipelineNS, "get", "buildruns", "--sort-by=.metadata.creationTimestamp", "-o", "name")
	f := strings.Fields(runs)
	if len(f) == 0 {
		return
	}
	last := strings.TrimPrefix(f[len(f)-1], "buildrun.shipwright.io/")
	out, _ := kubectl("", "-n", pipelineNS, "logs", "-l", "buildrun.shipwright.io/name="+last, "--all-containers", "--tail=-1")
	var lines []string
	for _, l := range strings.Split(out, "\n") {
		ll := strings.ToLower(l)
		if strings.Contains(ll, "cache") || strings.Contains(ll, "reus") {
			lines = append(lines, l)
		}
	}
	t.Logf("BuildRun %s on its cache:\n%s", last, tailLines(strings.Join(lines, "\n"), 15))
	// The Function's build cache PVC kept the Go toolchain layer.
	if !strings.Contains(out, "Reusing cache layer 'kiln/go-dist:go'") {
		t.Errorf("BuildRun %s did not reuse the Go toolchain from the build cache volume", last)
	}
}

// diagnoseFunction logs the Function, its build, serving and route
// objects and the controller's log.
func diagnoseFunction(t *testing.T, ns, name string) {
	t.Helper()
	for _, args := range [][]string{
		{"-n", ns, "get", "function", name, "-o", "yaml"},
		{"-n", ns, "get", "build,buildrun,taskrun,pvc,ksvc,revision,pods,httproute", "-o", "wide"},
		{"-n", ns, "get", "httproute", name, "-o", "yaml"},
		{"get", "pv"},
		{"-n", ns, "logs", "-l", "build.shipwright.io/name=" + name + "-build", "--all-containers", "--prefix", "--tail=30"},
		{"-n", "kiln", "logs", "deploy/kiln-controller", "--tail=40"},
		{"-n", "kiln-ingress", "logs", "deploy/traefik", "--tail=20"},
	} {
		out, _ := kubectl("", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), tailLines(out, 120))
	}
}

// buildKiln builds the kiln CLI of this checkout.
func buildKiln(t *testing.T) string {
	t.Helper()
	// Kept in the e2e home (the next run rebuilds it): it must outlive
	// this step.
	bin := filepath.Join(e2eHome(), "bin", "kiln")
	t0 := time.Now()
	cmd := exec.Command("nice", "-n", "10", "go", "build", "-o", bin, "./platform/cmd/kiln")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./platform/cmd/kiln: %v\n%s", err, out)
	}
	t.Logf("kiln CLI built in %s", time.Since(t0).Round(time.Millisecond))
	return bin
}

// seedBuilders copies the run-static stack image and every builder (with
// the run image it names) that KILN_E2E_CLUSTER_IMAGE_FROM has into the
// node's kiln registry; builder-go must be there. The git step's base
// comes too (seedGitBase).
func seedBuilders(t *testing.T, o cluster.Options) {
	t.Helper()
	seedGitBase(t, o)
	src, err := registry.OpenWith(imageFrom(), registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	t0 := time.Now()
	for _, p := range [][2]string{{"go", "static"}, {"node", "node"}, {"python", "python"}, {"java", "java"}} {
		for i, repo := range []string{"kiln/stack/run-" + p[1] + ":bookworm", "kiln/builder-" + p[0] + ":latest"} {
			img, err := remote.Image(mustRef(t, src.Addr+"/"+repo))
			if err != nil {
				if p[0] == "go" {
					t.Fatalf("image %s in %s (run `make builder`): %v", repo, imageFrom(), err)
				}
				if i == 1 {
					t.Logf("no %s in %s: the controller gets no builder for it", repo, imageFrom())
				}
				continue
			}
			if err := remote.Write(mustRef(t, dst.Addr+"/"+repo), img, dst.RemoteOptions()...); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("builders and run images seeded into the node's kiln registry: %s", time.Since(t0).Round(time.Millisecond))
}

// copyDir copies the regular files of dir (one level) to dst.
func copyDir(t *testing.T, dir, dst string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
