package cluster

import (
	"bytes"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// addonCache is where resolved addon manifests are kept across Down:
// AddonCache, or <state dir>-addons.
func (o Options) addonCache() string {
	if o.AddonCache != "" {
		return o.AddonCache
	}
	return o.Dir + "-addons"
}

// installAddons starts the node registry and installs o.Addons (with what
// they need) in order: images (ko, or the cache), apply, wait until their
// deployments are Available. Applying is server-side, so running it on a
// node that has them is a quick no-op.
func installAddons(o Options, s *state) error {
	if len(o.Addons) == 0 {
		return nil
	}
	names, err := ParseAddons(strings.Join(o.Addons, ","))
	if err != nil {
		return err
	}
	if err := step(o.Out, "node registry (pods push here) on "+NodeIP, func() error { return ensureNodeRegistry(o, s) }); err != nil {
		return err
	}
	a, err := newAPI(o.Layout, s.server())
	if err != nil {
		return err
	}
	for _, n := range names {
		ad, _ := addonNamed(n)
		var yaml []byte
		t := time.Now()
		var built bool
		var err error
		how := "cached"
		if ad.name == AddonKiln {
			yaml, built, err = kilnManifests(o, s)
			if built {
				how = "built from " + o.KilnSource + " and pushed to the node registry"
			}
		} else if ad.name == AddonRedis {
			yaml, err = redisInstall(o, s)
			how = "from kiln's registry"
		} else if yaml, built, err = resolvedAddon(o, s, ad); built {
			how = "built by ko " + koVersion
		}
		if err != nil {
			fmt.Fprintf(o.Out, "==> %s %s images: failed after %s\n", ad.name, ad.version, time.Since(t).Round(time.Millisecond))
			return err
		}
		fmt.Fprintf(o.Out, "==> %s %s images %s (%s)\n", ad.name, ad.version, how, time.Since(t).Round(time.Millisecond))
		if ad.edit != nil {
			if yaml, err = ad.edit(yaml); err != nil {
				return err
			}
		}
		if bytes.Contains(yaml, []byte(ingressPortVar)) {
			if err := ensureIngressPort(o.Layout, s); err != nil {
				return err
			}
			yaml = bytes.ReplaceAll(yaml, []byte(ingressPortVar), []byte(strconv.Itoa(s.IngressPort)))
		}
		// Custom resources in the same stream as their CRDs, and objects a
		// validating webhook of the stream covers, are refused until the
		// CRDs are established and the webhook serves: apply again until
		// everything is taken.
		if err := step(o.Out, ad.name+": applied", func() error {
			return poll(ad.name+" manifests applied", 5*time.Minute, nil, func() (bool, error) {
				if asyncRendered(ad) {
					err := applyCRDsFirst(o, a, yaml)
					return err == nil, err
				}
				err := o.kubectl(yaml, "apply", "--server-side", "--force-conflicts", "-f", "-")
				return err == nil, err
			})
		}); err != nil {
			return err
		}
		if err := waitDeployments(o, a, ad); err != nil {
			return err
		}
		if ad.config != "" {
			if err := step(o.Out, ad.name+": configured", func() error {
				return poll(ad.name+" configuration applied", 2*time.Minute, nil, func() (bool, error) {
					err := o.kubectl([]byte(ad.config), "apply", "--server-side", "--force-conflicts", "--field-manager=kiln-cluster", "-f", "-")
					return err == nil, err
				})
			}); err != nil {
				return err
			}
		}
	}
	if s.IngressPort != 0 {
		fmt.Fprintf(o.Out, "==> ingress (Traefik) on http://127.0.0.1:%d: a Knative Service NAME in NAMESPACE answers at http://NAME.NAMESPACE.%s:%d/\n",
			s.IngressPort, KnativeDomain, s.IngressPort)
		if slices.Contains(names, AddonKiln) {
			fmt.Fprintf(o.Out, "==> Gateway %s/%s (class %s) on the same port: a Function's route answers at http://NAME.NAMESPACE.%s:%d/, or with --hostname localhost at http://localhost:%d/NAMESPACE/NAME/\n",
				kilnNamespace, gatewayName, GatewayClass, GatewayDomain, s.IngressPort, s.IngressPort)
		}
	}
	return nil
}

// waitDeployments waits until ad's deployments are Available (none for
// CRDs only, as gateway-api's).
func waitDeployments(o Options, a *api, ad addon) error {
	if len(ad.deployments) == 0 {
		return nil
	}
	err := step(o.Out, ad.name+": "+strings.Join(ad.deployments, ", ")+" Available", func() error {
		return poll(ad.name+" deployments Available", 5*time.Minute, nil, func() (bool, error) {
			for _, d := range ad.deployments {
				if ok, err := a.deploymentAvailable(ad.namespace, d); !ok {
					return false, err
				}
			}
			return true, nil
		})
	})
	if err != nil {
		pods, _ := o.kubectlOut("get", "pods", "-n", ad.namespace, "-o", "wide")
		return fmt.Errorf("%w\npods in %s:\n%s%s", err, ad.namespace, pods, notReadyLogs(o, ad.namespace))
	}
	return nil
}

// notReadyLogs are the last log lines of the pods in ns that are not
// Ready, this run's and, for a container that restarted, the previous
// one's: why a crash-looping addon crashed is there, and the node's pod
// logs go with Down.
func notReadyLogs(o Options, ns string) string {
	out, err := o.kubectlOut("get", "pods", "-n", ns, "-o",
		`jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}`)
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) == 0 || (len(f) == 2 && f[1] == "True") {
			continue
		}
		for _, prev := range []bool{false, true} {
			args := []string{"logs", "-n", ns, f[0], "--all-containers", "--tail=25", "--prefix"}
			what := "log"
			if prev {
				args, what = append(args, "--previous"), "log before its last restart"
			}
			if logs, err := o.kubectlOut(args...); err == nil && strings.TrimSpace(logs) != "" {
				fmt.Fprintf(&b, "%s of pod %s/%s:\n%s\n", what, ns, f[0], strings.TrimRight(logs, "\n"))
			}
		}
	}
	return b.String()
}

// ensureIngressPort picks Traefik's loopback port once per node and keeps
// it in the state, so a reinstall serves on the same address.
func ensureIngressPort(l Layout, s *state) error {
	if s.IngressPort != 0 {
		return nil
	}
	p, err := freePort("127.0.0.1")
	if err != nil {
		return err
	}
	s.IngressPort = p
	return saveState(l, s)
}

// kubectl runs the node's kubectl with stdin.
func (o Options) kubectl(stdin []byte, args ...string) error {
	cmd := exec.Command(o.kubeBin("kubectl"), append([]string{"--kubeconfig=" + o.Kubeconfig()}, args...)...)
	cmd.Stdin = bytes.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("cluster: kubectl %s: %w: %s", strings.Join(args, " "), err, tailString(string(out), 10))
	}
	return nil
}

func (o Options) kubectlOut(args ...string) (string, error) {
	out, err := exec.Command(filepath.Join(o.kubeBin("kubectl")), append([]string{"--kubeconfig=" + o.Kubeconfig()}, args...)...).CombinedOutput()
	return string(out), err
}

// deploymentAvailable: the Deployment reports Available=True.
func (a *api) deploymentAvailable(ns, name string) (bool, error) {
	var d struct {
		Status struct {
			Conditions []struct{ Type, Status, Message string } `json:"conditions"`
		} `json:"status"`
	}
	if _, err := a.get("/apis/apps/v1/namespaces/"+ns+"/deployments/"+name, &d); err != nil {
		return false, err
	}
	for _, c := range d.Status.Conditions {
		if c.Type == "Available" && c.Status == "True" {
			return true, nil
		}
	}
	return false, fmt.Errorf("deployment %s/%s not Available yet", ns, name)
}
