// Command manager is Kiln's Kubernetes controller: it reconciles
// core.kiln.dev/v1alpha1 Functions into Shipwright builds and Knative, Dapr,
// KEDA and Gateway API serving objects.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
	evreconciler "kiln.dev/kiln/controller/reconciler/events"
	"kiln.dev/kiln/controller/render"
)

// eventsOptions are the events controller's flags (--events, --event-handler-image).
var eventsOptions = evreconciler.BindFlags(flag.CommandLine)

func main() {
	cfg := render.DefaultConfig()
	metrics := flag.String("metrics-bind-address", ":8080", "metrics endpoint (0 disables)")
	probes := flag.String("health-probe-bind-address", ":8081", "healthz/readyz endpoint")
	leader := flag.Bool("leader-elect", false, "elect a leader (run several replicas)")
	workers := flag.Int("max-concurrent-reconciles", 4, "Functions reconciled at once")
	flag.Func("builder", "LANGUAGE=IMAGE: the builder of Functions whose spec.build.language is LANGUAGE and spec.build.builder empty (repeat per language; defaults: "+builderDefaults()+")", cfg.ParseBuilderFlag)
	flag.Func("default-builder", "IMAGE: the builder of Go Functions (and of those without spec.build.language); same as --builder go=IMAGE", func(v string) error {
		return cfg.ParseBuilderFlag(render.DefaultLanguage + "=" + v)
	})
	flag.StringVar(&cfg.ClusterDomain, "cluster-domain", cfg.ClusterDomain, "the cluster's DNS suffix")
	flag.StringVar(&cfg.BuildCacheSize, "build-cache-size", cfg.BuildCacheSize, "size of each Function's build cache volume")
	var policy v1alpha1.Policy
	flag.BoolVar(&policy.AllowPrivileged, "allow-privileged-templates", false,
		"let Functions' pod templates do what the Pod Security Standards baseline forbids (host namespaces, hostPath, host ports, privileged, added capabilities, privilege escalation, root, unconfined seccomp/AppArmor)")
	flag.BoolVar(&policy.AllowServiceAccounts, "allow-template-service-accounts", false,
		"let Functions' pod templates run as a ServiceAccount of their namespace other than default")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))

	if err := run(cfg, policy, *metrics, *probes, *leader, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "kiln controller:", err)
		os.Exit(1)
	}
}

// builderDefaults lists the built-in --builder values.
func builderDefaults() string {
	d := render.DefaultBuilders()
	var out []string
	for _, l := range render.DefaultConfig().Languages() {
		out = append(out, l+"="+d[l])
	}
	return strings.Join(out, ", ")
}

func run(cfg render.Config, policy v1alpha1.Policy, metrics, probes string, leader bool, workers int) error {
	scheme, err := reconciler.Scheme()
	if err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme: scheme, Metrics: metricsserver.Options{BindAddress: metrics},
		HealthProbeBindAddress: probes, LeaderElection: leader, LeaderElectionID: "controller.core.kiln.dev",
	})
	if err != nil {
		return err
	}
	r := &reconciler.FunctionReconciler{Client: mgr.GetClient(), APIReader: mgr.GetAPIReader(), Config: cfg, Policy: policy, MaxConcurrent: workers}
	if err := r.SetupWithManager(mgr); err != nil {
		return err
	}
	if err := evreconciler.Setup(mgr, eventsOptions); err != nil {
		return err
	}
	if err := mgr.AddHealthzCheck("healthz", healthz.Ping); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", healthz.Ping); err != nil {
		return err
	}
	return mgr.Start(ctrl.SetupSignalHandler())
}
