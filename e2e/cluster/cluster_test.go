package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"sigs.k8s.io/e2e-framework/pkg/env"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
	"kiln.dev/kiln/platform/registry"
)

var (
	testenv env.Environment
	// o is the node under test; before is the host as Setup found it with
	// the node down.
	o      cluster.Options
	before snapshot
	// enabled: KILN_E2E_CLUSTER=1 (root; brings up a kubelet, containerd, kube-proxy).
	enabled = os.Getenv("KILN_E2E_CLUSTER") == "1"
)

func TestMain(m *testing.M) {
	// Up starts the registry as a detached process of this binary.
	registry.ServeIfSpawned()
	if !enabled {
		os.Exit(m.Run()) // TestSingleNode skips
	}
	home := e2eHome()
	o = cluster.Options{Layout: cluster.Layout{Dir: filepath.Join(home, "cluster"), Tools: toolsDir()},
		RegistryDir: filepath.Join(home, "registry"), AddonCache: filepath.Join(home, "cluster-addons"), Out: prefixWriter{os.Stdout}}
	testenv = env.NewWithConfig(envconf.New())
	testenv.Setup(func(ctx context.Context, cfg *envconf.Config) (context.Context, error) {
		if os.Geteuid() != 0 {
			return ctx, fmt.Errorf("the cluster test needs root")
		}
		tb := time.Now()
		build := exec.Command("bash", filepath.Join(repoRoot, "platform", "tools", "build.sh"), "cluster")
		build.Env = append(os.Environ(), "KILN_TOOLS="+o.Tools)
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			return ctx, fmt.Errorf("build.sh cluster: %w", err)
		}
		fmt.Printf("==> e2e setup: tools ready in %s\n", time.Since(tb).Round(time.Millisecond))
		// Start from a node that is down.
		if err := cluster.Down(o); err != nil {
			return ctx, fmt.Errorf("down before the test: %w", err)
		}
		var err error
		if before, err = hostSnapshot(o); err != nil {
			return ctx, err
		}
		t0 := time.Now()
		if err := cluster.Up(o); err != nil {
			cluster.Down(o)
			return ctx, fmt.Errorf("up: %w", err)
		}
		fmt.Printf("==> e2e setup: cold up (tools built, node down): %s\n", time.Since(t0).Round(time.Millisecond))
		cfg.WithKubeconfigFile(o.Kubeconfig())
		return ctx, nil
	})
	// Whatever happened, the node goes down (a no-op after the last feature).
	testenv.Finish(func(ctx context.Context, _ *envconf.Config) (context.Context, error) {
		return ctx, cluster.Down(o)
	})
	os.Exit(testenv.Run(m))
}

var repoRoot = func() string {
	_, f, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(f), "..", "..")
}()

func e2eHome() string {
	if d := os.Getenv("KILN_E2E_HOME"); d != "" {
		return d
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, ".cache", "kiln-e2e-cluster")
}

func toolsDir() string {
	if d := os.Getenv("KILN_TOOLS"); d != "" {
		return d
	}
	h, _ := os.UserHomeDir()
	return filepath.Join(h, ".cache", "kiln", "tools")
}

// prefixWriter indents Up's and Down's progress lines in the test output.
type prefixWriter struct{ w io.Writer }

func (p prefixWriter) Write(b []byte) (int, error) {
	if _, err := io.WriteString(p.w, "    "+strings.ReplaceAll(strings.TrimRight(string(b), "\n"), "\n", "\n    ")+"\n"); err != nil {
		return 0, err
	}
	return len(b), nil
}

func until(t *testing.T, what string, timeout time.Duration, f func() error) {
	t.Helper()
	if err := poll(timeout, f); err != nil {
		t.Fatalf("waited %v for %s: %v", timeout, what, err)
	}
}

// poll calls f until it succeeds or the deadline passes (its last error).
func poll(timeout time.Duration, f func() error) error {
	deadline := time.Now().Add(timeout)
	for {
		err := f()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// diagnoseService logs what decides where a ClusterIP request goes: the
// pods, the EndpointSlices and kube-proxy's NAT rules for the address.
func diagnoseService(t *testing.T, ip string) {
	t.Helper()
	for _, args := range [][]string{{"get", "pods", "-o", "wide"}, {"get", "endpointslices", "-o", "wide"}} {
		out, _ := kubectl("", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), out)
	}
	out, err := exec.Command("iptables", "-w", "-t", "nat", "-S").CombinedOutput()
	var rules []string
	for _, l := range strings.Split(string(out), "\n") {
		if strings.Contains(l, ip) || strings.HasPrefix(l, "-A PREROUTING") || strings.HasPrefix(l, "-A OUTPUT") {
			rules = append(rules, l)
		}
	}
	t.Logf("iptables -t nat rules for %s (err %v):\n%s", ip, err, strings.Join(rules, "\n"))
}

// firstOK polls http://ip/ until it answers 200 and returns the body.
func firstOK(ip string, timeout time.Duration) (string, error) {
	var body string
	err := poll(timeout, func() error {
		// A fresh connection each time: a keep-alive connection made
		// before kube-proxy's rules would keep its first answer.
		c := &http.Client{Timeout: time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
		resp, err := c.Get("http://" + ip + "/")
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return fmt.Errorf("%s: %s", resp.Status, b)
		}
		body = string(b)
		return nil
	})
	return body, err
}

// kubectl runs the kubectl of the node's release against it.
func kubectl(stdin string, args ...string) (string, error) {
	cmd := exec.Command(filepath.Join(o.Tools, "kube-node-v1.36.3", "kubectl"), args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+o.Kubeconfig())
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("kubectl %s: %w: %s", strings.Join(args, " "), err, out.String())
	}
	return out.String(), nil
}

// TestSingleNode: the user's steps on the node Setup brought up, in order;
// the last one takes it down and compares the host with before.
func TestSingleNode(t *testing.T) {
	if !enabled {
		t.Skip("set KILN_E2E_CLUSTER=1 to run the single-node cluster test (root; brings up a kubelet, containerd, kube-proxy)")
	}
	function := features.New("a function behind a ClusterIP Service").
		Assess("first 200 through the ClusterIP", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ref := copyHello(t, o)
			t1 := time.Now()
			if _, err := kubectl(deployment("hello", ref), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			ip, err := kubectl("", "get", "service", "hello", "-o", "jsonpath={.spec.clusterIP}")
			if err != nil || ip == "" {
				t.Fatalf("service hello has no ClusterIP: %q %v", ip, err)
			}
			body, err := firstOK(ip, 3*time.Minute)
			if err != nil {
				diagnoseService(t, ip)
				t.Fatalf("waited 3m for the first 200 from http://%s: %v", ip, err)
			}
			t.Logf("Deployment + Service applied -> first 200 via ClusterIP %s: %s (body %q)", ip, time.Since(t1).Round(time.Millisecond), strings.TrimSpace(body))
			return ctx
		}).Feature()

	apiserver := features.New("a pod reaches the apiserver").
		Assess("through the kubernetes Service", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ref := pushProbe(t, o)
			if _, err := kubectl(probePod(ref), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			until(t, "the probe pod to finish", 2*time.Minute, func() error {
				phase, err := kubectl("", "get", "pod", "probe", "-o", "jsonpath={.status.phase}")
				if err != nil {
					return err
				}
				switch phase {
				case "Succeeded":
					return nil
				case "Failed":
					logs, _ := kubectl("", "logs", "probe")
					t.Fatalf("probe pod failed: %s", logs)
				}
				return fmt.Errorf("phase %q", phase)
			})
			logs, err := kubectl("", "logs", "probe")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logs, "apiserver via 10.96.0.1:443: 200") {
				t.Fatalf("probe did not reach the apiserver at the kubernetes Service: %q", logs)
			}
			t.Logf("probe: %s", strings.TrimSpace(logs))
			return ctx
		}).Feature()

	reuse := features.New("up again").
		Assess("reuses the running node", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			var out bytes.Buffer
			o2 := o
			o2.Out = &out
			t2 := time.Now()
			if err := cluster.Up(o2); err != nil {
				t.Fatal(err)
			}
			warm := time.Since(t2)
			t.Logf("up on a running node: %s: %s", warm.Round(time.Millisecond), strings.TrimSpace(out.String()))
			if !strings.Contains(out.String(), "already running") || warm > 5*time.Second {
				t.Fatalf("second up was not a fast no-op (%s): %s", warm, out.String())
			}
			return ctx
		}).Feature()

	env := features.New("kiln cluster env").
		Assess("gives a shell the matching kubectl and the node", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			sh := exec.Command("sh", "-c", cluster.Env(o)+"command -v kubectl && kubectl version -o json")
			sh.Env = append(os.Environ(), "KUBECONFIG=/nonexistent", "PATH=/usr/bin:/bin")
			out, err := sh.CombinedOutput()
			if err != nil {
				t.Fatalf("eval of Env then kubectl version: %v\n%s", err, out)
			}
			s := string(out)
			if !strings.HasPrefix(s, filepath.Join(o.Tools, "kube-node-v1.36.3", "kubectl")) ||
				strings.Count(s, `"gitVersion": "v1.36.3"`) != 2 {
				t.Fatalf("want the pinned kubectl talking to a v1.36.3 server, got:\n%s", s)
			}
			return ctx
		}).Feature()

	down := features.New("down").
		Assess("leaves the host as it was before up", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			td := time.Now()
			if err := cluster.Down(o); err != nil {
				t.Fatalf("down: %v", err)
			}
			t.Logf("down: %s", time.Since(td).Round(time.Millisecond))
			after, err := hostSnapshot(o)
			if err != nil {
				t.Fatal(err)
			}
			if d := before.diff(after); d != "" {
				t.Fatalf("down left the host different from before up:\n%s", d)
			}
			return ctx
		}).Feature()

	all := []features.Feature{function, apiserver, reuse, env, shipwrightFeature(), knativeFeature(), pipelineFeature(), gatewayFeature(), languagesFeature(), failuresFeature(), gitFeature(), asyncFeature()}
	testenv.Test(t, append(selected(t, all), down)...)
}

// selected are the features whose names contain a word of
// KILN_E2E_CLUSTER_FEATURES (comma-separated, e.g. "knative,shipwright"),
// or all of them; down always runs last.
func selected(t *testing.T, all []features.Feature) []features.Feature {
	want := os.Getenv("KILN_E2E_CLUSTER_FEATURES")
	if want == "" {
		return all
	}
	var out []features.Feature
	for _, f := range all {
		for _, w := range strings.Split(want, ",") {
			if w = strings.TrimSpace(w); w != "" && strings.Contains(strings.ToLower(f.Name()), strings.ToLower(w)) {
				out = append(out, f)
				break
			}
		}
	}
	t.Logf("KILN_E2E_CLUSTER_FEATURES=%s: running %d of %d features (and down)", want, len(out), len(all))
	return out
}

// copyHello copies the Go hello function image (`make demo`) from the
// kiln registry KILN_E2E_CLUSTER_IMAGE_FROM into the node's registry and
// returns its reference there, by digest.
func copyHello(t *testing.T, o cluster.Options) string {
	from := imageFrom()
	src, err := registry.OpenWith(from, registry.Options{})
	if err != nil {
		t.Fatalf("opening the registry %s with the hello image: %v", from, err)
	}
	defer src.Close()
	img, err := remote.Image(mustRef(t, src.Addr+"/hello:latest"))
	if err != nil {
		t.Fatalf("image hello:latest in %s (run `make demo` to build it): %v", from, err)
	}
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	r := mustRef(t, dst.Addr+"/kiln-e2e/hello:latest")
	if err := remote.Write(r, img, dst.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return dst.Addr + "/kiln-e2e/hello@" + d.String()
}

// pushProbe builds probe/ statically and pushes it as a one-binary image.
func pushProbe(t *testing.T, o cluster.Options) string {
	bin := filepath.Join(t.TempDir(), "probe")
	cmd := exec.Command("go", "build", "-trimpath", "-o", bin, "./probe")
	cmd.Dir = filepath.Join(repoRoot, "e2e", "cluster")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building the probe: %v\n%s", err, out)
	}
	img, err := cluster.BinaryImage(bin, "probe")
	if err != nil {
		t.Fatal(err)
	}
	dst, err := registry.OpenWith(o.RegistryDir, registry.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	if err := remote.Write(mustRef(t, dst.Addr+"/kiln-e2e/probe:latest"), img, dst.RemoteOptions()...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return dst.Addr + "/kiln-e2e/probe@" + d.String()
}

func mustRef(t *testing.T, s string) name.Reference {
	r, err := name.ParseReference(s, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func deployment(name, ref string) string {
	return strings.ReplaceAll(`apiVersion: apps/v1
kind: Deployment
metadata: {name: NAME, namespace: default}
spec:
  replicas: 1
  selector: {matchLabels: {app: NAME}}
  template:
    metadata: {labels: {app: NAME}}
    spec:
      containers:
      - name: NAME
        image: `, "NAME", name) + ref + strings.ReplaceAll(`
        env: [{name: PORT, value: "8080"}]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: NAME, namespace: default}
spec:
  selector: {app: NAME}
  ports: [{port: 80, targetPort: 8080}]
`, "NAME", name)
}

func probePod(ref string) string {
	return `apiVersion: v1
kind: Pod
metadata: {name: probe, namespace: default}
spec:
  restartPolicy: Never
  containers:
  - name: probe
    image: ` + ref + `
`
}
