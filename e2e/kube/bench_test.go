package kube

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// benchFunctions is the benchmark's mix: half HTTP functions (a Knative
// Service each), half async Kafka functions (Deployment, ScaledObject, two
// Dapr Components each); no builds (spec.image is served as is).
func benchFunctions(b *testing.B, ns string, n int) []*v1alpha1.Function {
	var out []*v1alpha1.Function
	for i := 0; i < n; i++ {
		var f *v1alpha1.Function
		if i%2 == 0 {
			f = function(b, "sync-hello", ns)
			f.Spec.Build = nil
		} else {
			f = function(b, "async-kafka", ns)
		}
		f.Name = fmt.Sprintf("%s-%03d", f.Name, i)
		out = append(out, f)
	}
	return out
}

// rss reads a process's peak and current resident set (MB) from /proc.
func rss(pid int) (peak, cur float64) {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && (f[0] == "VmHWM:" || f[0] == "VmRSS:") {
			kb, _ := strconv.ParseFloat(f[1], 64)
			if f[0] == "VmHWM:" {
				peak = kb / 1024
			} else {
				cur = kb / 1024
			}
		}
	}
	return
}

// BenchmarkController500 (make bench-controller): 500 Functions reconciled
// to their objects by the controller binary against the local API server,
// next to a baseline measured in the same run: the test client creating the
// same objects itself, with no controller. Run with KILN_BENCH=1 and
// -benchtime=1x.
func BenchmarkController500(b *testing.B) {
	if os.Getenv("KILN_BENCH") != "1" || te == nil {
		b.Fatal("run with KILN_BENCH=1 against the local control plane: make bench-controller")
	}
	const n = 500
	ctx := context.Background()
	work := b.TempDir()
	bin := filepath.Join(work, "manager")
	build := exec.Command("go", "build", "-o", bin, "./controller/cmd/manager")
	build.Dir = repo
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("building the controller: %v\n%s", err, out)
	}
	user, err := te.AddUser(envtest.User{Name: "kiln-bench", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		b.Fatal(err)
	}
	kubeconfig := filepath.Join(work, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		b.Fatal(err)
	}

	// Baseline: the same objects, rendered and created by the test itself.
	baseNS := namespace(b, "bench-base")
	var objects []client.Object
	for _, f := range benchFunctions(b, baseNS, n) {
		f.Default()
		objs, err := render.All(f, render.DefaultConfig(), "")
		if err != nil {
			b.Fatal(err)
		}
		objects = append(objects, objs...)
	}
	start := time.Now()
	for _, o := range objects {
		u, err := render.Unstructured(o)
		if err != nil {
			b.Fatal(err)
		}
		if err := cl.Create(ctx, u); err != nil {
			b.Fatalf("baseline create %s: %v", o.GetName(), err)
		}
	}
	baseline := time.Since(start)

	// The controller.
	ns := namespace(b, "bench")
	cmd := exec.Command(bin, "--metrics-bind-address=0", "--health-probe-bind-address=0", "--max-concurrent-reconciles=8")
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	logf, _ := os.Create(filepath.Join(work, "controller.log"))
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	start = time.Now()
	for _, f := range benchFunctions(b, ns, n) {
		if err := cl.Create(ctx, f); err != nil {
			b.Fatal(err)
		}
	}
	created := time.Since(start)
	deadline := time.Now().Add(5 * time.Minute)
	done := 0
	for done < n {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(work, "controller.log"))
			b.Fatalf("%d/%d Functions reconciled after 5 min; controller log:\n%s", done, n, tail(string(log), 40))
		}
		var list v1alpha1.FunctionList
		if err := cl.List(ctx, &list, client.InNamespace(ns)); err != nil {
			b.Fatal(err)
		}
		done = 0
		for _, f := range list.Items {
			if f.Status.ObservedGeneration == f.Generation && f.Status.Serving != nil && f.Status.Serving.ResourceRef != "" {
				done++
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	elapsed := time.Since(start)
	peak, cur := rss(cmd.Process.Pid)
	fmt.Printf("\n%-52s %10s %12s %8s  %s\n", "target", "kiln", "baseline", "ratio", "goal")
	fmt.Printf("%-52s %8.1f s %10.1f s %7.1fx  %s\n", fmt.Sprintf("%d Functions reconciled to their %d objects", n, len(objects)),
		elapsed.Seconds(), baseline.Seconds(), elapsed.Seconds()/baseline.Seconds(), "<= 60 s (baseline: the test creating the same objects itself)")
	fmt.Printf("%-52s %8.1f s\n", "  of which creating the 500 Functions", created.Seconds())
	fmt.Printf("%-52s %7.0f MB %10s %8s  %s\n", "controller RSS, peak (now)", peak, fmt.Sprintf("(%.0f MB)", cur), "-", "<= 150 MB")
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
