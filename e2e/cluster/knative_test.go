package cluster

import (
	"context"
	"fmt"
	"net/url"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
)

// knNamespace keeps the Knative Service apart from the Deployment and
// Service named hello of the first feature.
const knNamespace = "fn"

// knativeFeature: Up with the knative addon on the running node (CoreDNS,
// Knative Serving, Traefik; cold: ko builds or the cache; then warm), a
// serving.knative.dev/v1 Service pinned to the Go hello image's digest, its
// revision Ready, a plain curl of http://hello.fn.localhost:PORT/ through
// Traefik answering 200, then scale to zero after a short idle window and
// the cold start of the next request.
func knativeFeature() features.Feature {
	return features.New("a Knative Service behind Traefik").
		Assess("addons installed, cold then warm", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			seedStackAndBuilder(t, o)
			for _, round := range []string{"first", "second"} {
				o2 := o
				o2.Addons = []string{cluster.AddonKnative}
				t0 := time.Now()
				if err := cluster.Up(o2); err != nil {
					t.Fatalf("%s up --with knative: %v", round, err)
				}
				t.Logf("%s up --with knative (node running): %s", round, time.Since(t0).Round(time.Millisecond))
			}
			if cluster.Ingress(o) == "" {
				t.Fatal("no ingress address in the state after up --with knative")
			}
			return ctx
		}).
		Assess("revision Ready, 200 through the ingress, scale to zero and back", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			in, err := url.Parse(cluster.Ingress(o))
			if err != nil {
				t.Fatal(err)
			}
			// A short idle window for the test (the minimums Knative takes).
			if _, err := kubectl("", "-n", "knative-serving", "patch", "configmap", "config-autoscaler", "--type=merge", "-p",
				`{"data":{"stable-window":"6s","scale-to-zero-grace-period":"6s","scale-to-zero-pod-retention-period":"0s"}}`); err != nil {
				t.Fatal(err)
			}
			ref := copyHello(t, o)
			if _, err := kubectl(knService(ref), "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			t1 := time.Now()
			var status string
			err = poll(5*time.Minute, func() error {
				out, err := kubectl("", "-n", knNamespace, "get", "ksvc", "hello", "-o",
					`jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.url}|{.status.latestReadyRevisionName}|{.status.conditions[?(@.type=="Ready")].message}`)
				if err != nil {
					return err
				}
				if !strings.HasPrefix(out, "True|") {
					return fmt.Errorf("ksvc hello not Ready: %q", out)
				}
				status = out
				return nil
			})
			if err != nil {
				diagnoseKnative(t)
				t.Fatalf("waited 5m for ksvc hello Ready: %v", err)
			}
			f := strings.Split(status, "|")
			t.Logf("Knative Service applied -> Ready: %s (url %s, revision %s)", time.Since(t1).Round(time.Millisecond), f[1], f[2])
			want := "http://hello." + knNamespace + "." + cluster.KnativeDomain
			if f[1] != want {
				t.Fatalf("ksvc status.url = %q, want %q", f[1], want)
			}
			// What a user runs: curl of the URL with the ingress port, no
			// Host header (curl resolves *.localhost to loopback itself).
			u := want + ":" + in.Port() + "/"
			var body string
			err = poll(2*time.Minute, func() error {
				var err error
				body, _, err = curl(u)
				return err
			})
			if err != nil {
				diagnoseKnative(t)
				t.Fatalf("waited 2m for the first 200 from %s: %v", u, err)
			}
			if strings.TrimSpace(body) != "Hello, World!" {
				t.Fatalf("%s answered %q, want Hello, World!", u, body)
			}
			t.Logf("Knative Service applied -> first 200 through Traefik at %s: %s", u, time.Since(t1).Round(time.Millisecond))
			_, warm, err := curl(u)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("warm request through Traefik: %s", warm.Round(100*time.Microsecond))

			// Idle: the revision's pods go away.
			t2 := time.Now()
			until(t, "scale to zero", 3*time.Minute, func() error {
				out, err := kubectl("", "-n", knNamespace, "get", "pods", "-l", "serving.knative.dev/service=hello", "-o", "name")
				if err != nil {
					return err
				}
				if n := len(strings.Fields(out)); n != 0 {
					return fmt.Errorf("%d pods left", n)
				}
				return nil
			})
			t.Logf("idle -> scaled to zero (no pods): %s", time.Since(t2).Round(time.Millisecond))
			body, cold, err := curl(u)
			if err != nil {
				diagnoseKnative(t)
				t.Fatalf("request after scale to zero: %v", err)
			}
			if strings.TrimSpace(body) != "Hello, World!" {
				t.Fatalf("after scale to zero %s answered %q", u, body)
			}
			t.Logf("scale-from-zero cold start (request -> 200 through Traefik and the activator): %s", cold.Round(time.Millisecond))
			return ctx
		}).Feature()
}

// curl GETs u with the host's curl (the user's tool; it resolves
// *.localhost itself) and returns the body and curl's total time; an error
// unless the answer is 200.
func curl(u string) (string, time.Duration, error) {
	out, err := exec.Command("curl", "-sS", "--max-time", "30", "-o", "-", "-w", "\n%{http_code} %{time_total}", u).CombinedOutput()
	s := string(out)
	i := strings.LastIndexByte(s, '\n')
	if err != nil || i < 0 {
		return "", 0, fmt.Errorf("curl %s: %v: %s", u, err, s)
	}
	var code int
	var secs float64
	if _, err := fmt.Sscanf(s[i+1:], "%d %g", &code, &secs); err != nil {
		return "", 0, fmt.Errorf("curl %s: reading %q: %w", u, s[i+1:], err)
	}
	if code != 200 {
		return "", 0, fmt.Errorf("curl %s: %s: %s", u, strconv.Itoa(code), s[:i])
	}
	return s[:i], time.Duration(secs * float64(time.Second)), nil
}

func knService(ref string) string {
	return `apiVersion: v1
kind: Namespace
metadata: {name: ` + knNamespace + `}
---
apiVersion: serving.knative.dev/v1
kind: Service
metadata: {name: hello, namespace: ` + knNamespace + `}
spec:
  template:
    spec:
      containers:
      - image: ` + ref + `
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /}, periodSeconds: 1}
`
}

// diagnoseKnative logs the Knative objects, the pods and the ingress's log.
func diagnoseKnative(t *testing.T) {
	t.Helper()
	for _, args := range [][]string{
		{"-n", knNamespace, "get", "ksvc,configuration,revision,route,kingress,sks,podautoscaler", "-o", "yaml"},
		{"get", "pods", "-A", "-o", "wide"},
		{"-n", "kiln-ingress", "logs", "deploy/traefik", "--tail=30"},
		{"-n", "knative-serving", "logs", "deploy/controller", "--tail=30"},
		{"-n", "knative-serving", "logs", "deploy/activator", "--tail=20"},
	} {
		out, _ := kubectl("", args...)
		t.Logf("kubectl %s:\n%s", strings.Join(args, " "), tailLines(out, 120))
	}
}
