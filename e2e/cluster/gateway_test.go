package cluster

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/platform/cluster"
)

// gatewayNS keeps the routed Function apart from the other features'.
const gatewayNS = "gateway"

// gatewayFeature: the Gateway API on the node. Up with the kiln addon
// (the Gateway API CRDs, Traefik's Gateway provider, the GatewayClass
// traefik and the Gateway kiln/kiln-gateway Kiln's Gateway config names);
// `kiln deploy --hostname localhost` makes a path-based HTTPRoute and the
// printed URL http://localhost:PORT/gateway/route answers a plain curl
// through the Gateway; deployed again with --route the route turns
// host-based (http://route.gateway.fn.localhost:PORT/) without a rebuild
// (route-ready time printed); the rate of requests through Traefik's
// Gateway and straight to the pod, and their ratio, printed; scaled to
// zero, the route wakes the revision through Knative's activator (cold
// start printed); the Function deleted takes its HTTPRoute with it.
func gatewayFeature() features.Feature {
	var kiln string
	var port string
	return features.New("the Gateway API: kiln deploy with a route through Traefik's Gateway").
		Assess("up --with kiln: a Gateway of Traefik's class", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			kiln = upWithKiln(t, 1)
			in, err := url.Parse(cluster.Ingress(o))
			if err != nil || in.Port() == "" {
				t.Fatalf("no ingress: %q %v", cluster.Ingress(o), err)
			}
			port = in.Port()
			until(t, "GatewayClass traefik Accepted and Gateway kiln/kiln-gateway Programmed", 2*time.Minute, func() error {
				class, err := kubectl("", "get", "gatewayclass", cluster.GatewayClass, "-o", `jsonpath={.status.conditions[?(@.type=="Accepted")].status}`)
				if err != nil || class != "True" {
					return fmt.Errorf("GatewayClass Accepted=%q %v", class, err)
				}
				gw, err := kubectl("", "-n", "kiln", "get", "gateway", "kiln-gateway", "-o",
					`jsonpath={.status.conditions[?(@.type=="Programmed")].status}|{.spec.listeners[0].port}|{.status.addresses[0].value}`)
				if err != nil || gw != "True|"+port+"|127.0.0.1" {
					return fmt.Errorf("Gateway Programmed|port|address = %q (want True|%s|127.0.0.1) %v", gw, port, err)
				}
				return nil
			})
			return ctx
		}).
		Assess("path-based route, then host-based, rps through the Gateway vs the pod, delete", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			if _, err := kubectl("apiVersion: v1\nkind: Namespace\nmetadata: {name: "+gatewayNS+"}\n", "apply", "-f", "-"); err != nil {
				t.Fatal(err)
			}
			src := filepath.Join(t.TempDir(), "route")
			copyDir(t, filepath.Join(repoRoot, "samples", "go", "hello"), src)
			a := deployArgs{dir: src, target: "HelloWorld", name: "route", ns: gatewayNS, flags: []string{"--hostname", "localhost"}}
			pathURL := "http://localhost:" + port + "/" + gatewayNS + "/route"
			first := deployAndServe(t, kiln, a, pathURL, "Hello, World!")
			t.Logf("kiln deploy --hostname localhost: apply -> Ready %s (build included), first 200 through the Gateway %s after apply",
				first.applyToReady.Round(time.Millisecond), first.firstOK.Round(time.Millisecond))
			route, err := kubectl("", "-n", gatewayNS, "get", "httproute", "route", "-o",
				`jsonpath={.spec.hostnames}|{.spec.rules[0].backendRefs[0].name}|{.status.parents[0].conditions[?(@.type=="Accepted")].status}`)
			if err != nil || !strings.HasPrefix(route, `["localhost"]|route-0000`) || !strings.HasSuffix(route, "|True") {
				t.Fatalf("HTTPRoute route: hostnames|backend|Accepted = %q (%v): want localhost, a revision, accepted", route, err)
			}
			// Only the Function's path is routed; its prefix is stripped.
			if _, _, err := curl("http://localhost:" + port + "/" + gatewayNS + "/other/"); err == nil || !strings.Contains(err.Error(), "404") {
				t.Errorf("another path through the Gateway: %v, want a 404", err)
			}

			// The same source with --route: no rebuild, the route turns
			// host-based; apply -> first 200 is the route's ready time.
			a.flags = []string{"--route"}
			hostURL := "http://route." + gatewayNS + "." + cluster.GatewayDomain + ":" + port
			second := deployAndServe(t, kiln, a, hostURL, "Hello, World!")
			if second.digest != first.digest {
				t.Errorf("deploying the same source rebuilt it: %s then %s", first.digest, second.digest)
			}
			t.Logf("kiln deploy --route (route changed, no rebuild): apply -> Ready %s, first 200 at %s %s after apply",
				second.applyToReady.Round(time.Millisecond), hostURL, second.firstOK.Round(time.Millisecond))
			until(t, "the path-based route to go", time.Minute, func() error {
				if _, _, err := curl(pathURL + "/"); err == nil || !strings.Contains(err.Error(), "404") {
					return fmt.Errorf("%s still answers: %v", pathURL, err)
				}
				return nil
			})

			throughput(t, port, hostURL)

			// Idle, the revision has no pods: its Service's endpoints are
			// the activator's, which finds the revision by the route's
			// headers and wakes it. (The knative feature's short window.)
			if _, err := kubectl("", "-n", "knative-serving", "patch", "configmap", "config-autoscaler", "--type=merge", "-p",
				`{"data":{"stable-window":"6s","scale-to-zero-grace-period":"6s","scale-to-zero-pod-retention-period":"0s"}}`); err != nil {
				t.Fatal(err)
			}
			until(t, "the revision to scale to zero", 3*time.Minute, func() error {
				out, err := kubectl("", "-n", gatewayNS, "get", "pods", "-l", "serving.knative.dev/service=route", "-o", "name")
				if n := len(strings.Fields(out)); err != nil || n != 0 {
					return fmt.Errorf("%d pods left %v", n, err)
				}
				return nil
			})
			body, cold, err := curl(hostURL + "/")
			if err != nil || strings.TrimSpace(body) != "Hello, World!" {
				diagnoseFunction(t, gatewayNS, "route")
				t.Fatalf("through the Gateway after scale to zero: %q %v", body, err)
			}
			t.Logf("scale-from-zero through the Gateway (Traefik -> activator -> new pod): first 200 in %s", cold.Round(time.Millisecond))

			if _, err := kubectl("", "-n", gatewayNS, "delete", "function", "route", "--wait=false"); err != nil {
				t.Fatal(err)
			}
			until(t, "HTTPRoute route to be gone with its Function", 3*time.Minute, func() error {
				out, err := kubectl("", "-n", gatewayNS, "get", "httproutes,services.serving.knative.dev,functions.core.kiln.dev", "-o", "name")
				if err != nil || strings.TrimSpace(out) != "" {
					return fmt.Errorf("left: %q %v", out, err)
				}
				return nil
			})
			return ctx
		}).Feature()
}

// throughput measures requests per second through Traefik's Gateway
// (the host-based route: Traefik -> the revision's Service, whose
// endpoints are the activator's while Knative keeps it in the path, ->
// queue-proxy -> the function), through Traefik's Knative ingress (the
// Knative URL, the same hops), straight to the pod's queue-proxy, and
// straight to the function's container, and logs each with its ratio to
// the last. Each is the best of two rounds, taken in turn so the pod stays
// busy (a quiet revision may scale to zero).
func throughput(t *testing.T, port, hostURL string) {
	t.Helper()
	u, err := url.Parse(hostURL)
	if err != nil {
		t.Fatal(err)
	}
	const conns, window = 16, 4 * time.Second
	paths := []string{"through Traefik's Gateway (HTTPRoute)", "through Traefik's Knative ingress", "straight to the pod's queue-proxy", "straight to the pod"}
	best := make([]float64, len(paths))
	for round := 0; round < 2; round++ {
		for i := range paths {
			var rate float64
			switch i {
			case 0: // Go's resolver does not resolve *.localhost: dial the ingress with the route's Host, as curl does.
				rate = loadRate(t, "http://"+u.Hostname()+"/", "127.0.0.1:"+port, conns, window)
			case 1:
				rate = loadRate(t, "http://route."+gatewayNS+"."+cluster.KnativeDomain+"/", "127.0.0.1:"+port, conns, window)
			default:
				pod, err := kubectl("", "-n", gatewayNS, "get", "pods", "-l", "serving.knative.dev/service=route",
					"--field-selector=status.phase=Running", "-o", "jsonpath={.items[0].status.podIP}")
				if err != nil || net.ParseIP(pod) == nil {
					t.Fatalf("the revision's pod IP: %q %v", pod, err)
				}
				p := map[int]string{2: "8012", 3: "8080"}[i]
				rate = loadRate(t, "http://"+pod+":"+p+"/", pod+":"+p, conns, window)
			}
			best[i] = max(best[i], rate)
		}
	}
	var b strings.Builder
	for i, p := range paths {
		fmt.Fprintf(&b, "\n  %-40s %6.0f req/s  ratio to the pod %.2f", p, best[i], best[i]/best[len(best)-1])
	}
	t.Logf("steady state, %d keep-alive connections, best of 2 x %s:%s", conns, window, b.String())
}

// loadRate sends GETs to u over conns keep-alive connections dialled to
// addr for window and returns the rate of 200 answers; any other answer
// fails the test.
func loadRate(t *testing.T, u, addr string, conns int, window time.Duration) float64 {
	t.Helper()
	tr := &http.Transport{MaxIdleConnsPerHost: conns, DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{Timeout: 5 * time.Second}).DialContext(ctx, network, addr)
	}}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var ok atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	end := time.Now().Add(window)
	t0 := time.Now()
	for range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(end) {
				resp, err := c.Get(u)
				if err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("%s", resp.Status)
					}
				}
				if err != nil {
					failed.Store(err)
					return
				}
				ok.Add(1)
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("load on %s (via %s): %v", u, addr, err)
	}
	return float64(ok.Load()) / time.Since(t0).Seconds()
}
