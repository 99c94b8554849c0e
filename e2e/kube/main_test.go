// Package kube is Kiln's tier-2 e2e suite: the Function controller against a
// real API server with the real CRDs of Kiln, Shipwright, Knative Serving,
// KEDA, Dapr and Gateway API. No cluster controllers run, so the suite plays
// them: it marks BuildRuns succeeded with a digest the way Shipwright does,
// and Knative Services ready the way Knative does. The controller runs as
// its ServiceAccount (impersonated, with controller/config/rbac applied), so
// it has exactly what that RBAC grants: any request the API server refuses
// it fails the suite.
//
// By default it starts a local control plane with envtest from binaries built
// here: kube-apiserver v1.36.3 from $KILN_TOOLS (platform/tools/build.sh) and
// Debian's etcd. With KUBECONFIG set it runs against that cluster instead
// (the CRDs above must be installed there, or KILN_E2E_INSTALL_CRDS=1 installs
// them) in a fresh namespace per feature. TestOptionalAPIsAbsent starts a
// second local control plane of its own with only Kiln's and Shipwright's
// CRDs (skipped with KUBECONFIG).
package kube

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	"sigs.k8s.io/e2e-framework/pkg/env"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/yaml"

	"kiln.dev/kiln/controller/reconciler"
	"kiln.dev/kiln/controller/render"
	"kiln.dev/kiln/platform/home"
)

// Module versions whose CRDs the suite installs (the same the controller's
// API types come from; root go.mod pins them).
var crdSources = []struct {
	module string
	files  []string
	// noConversion drops a conversion webhook nothing serves here; the
	// suite only uses the storage version.
	noConversion bool
}{
	{"github.com/shipwright-io/build", []string{"deploy/crds/shipwright.io_builds.yaml", "deploy/crds/shipwright.io_buildruns.yaml",
		"deploy/crds/shipwright.io_clusterbuildstrategies.yaml", "deploy/crds/shipwright.io_buildstrategies.yaml"}, true},
	{"knative.dev/serving", []string{"config/core/300-resources/service.yaml"}, false},
	{"github.com/kedacore/keda/v2", []string{"config/crd/bases/keda.sh_scaledobjects.yaml", "config/crd/bases/keda.sh_scaledjobs.yaml"}, false},
	{"github.com/dapr/dapr", []string{"charts/dapr/crds/components.yaml"}, false},
	{"sigs.k8s.io/gateway-api", []string{"config/crd/standard/gateway.networking.k8s.io_gatewayclasses.yaml",
		"config/crd/standard/gateway.networking.k8s.io_gateways.yaml", "config/crd/standard/gateway.networking.k8s.io_httproutes.yaml"}, false},
}

var (
	// te is the local control plane (nil with KUBECONFIG).
	te      *envtest.Environment
	testenv env.Environment
	cl      client.Client
	repo    string
	// gatewayNS holds the suite's Gateway config ConfigMap "kiln".
	gatewayNS = "kiln"
)

func TestMain(m *testing.M) {
	testenv = env.NewWithConfig(envconf.New())
	var stop func()
	testenv.Setup(func(ctx context.Context, _ *envconf.Config) (context.Context, error) {
		var err error
		stop, err = setup()
		return ctx, err
	})
	testenv.Finish(func(ctx context.Context, _ *envconf.Config) (context.Context, error) {
		if stop != nil {
			stop()
		}
		return ctx, nil
	})
	code := testenv.Run(m)
	if refused := forbiddenRequests(); len(refused) > 0 {
		fmt.Printf("FAIL: the API server refused the controller (%s, bound to controller/config/rbac):\n  %s\n"+
			"grant what it needs in controller/config/rbac/role.yaml and controller/reconciler/permissions.go\n", controllerUser, strings.Join(refused, "\n  "))
		code = 1
	}
	os.Exit(code)
}

// loadCRDs reads Kiln's CRD and the third-party ones from the module cache.
func loadCRDs() ([]*apiextensionsv1.CustomResourceDefinition, error) {
	// Kiln's own CRDs: every generated file in controller/config/crd.
	paths, err := filepath.Glob(filepath.Join(repo, "controller", "config", "crd", "*.kiln.dev_*.yaml"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no Kiln CRDs in controller/config/crd (%v): run make generate", err)
	}
	noConv := map[string]bool{}
	for _, src := range crdSources {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", src.module).Output()
		if err != nil {
			return nil, fmt.Errorf("locating %s in the module cache (go list -m, from %s): %w", src.module, repo, err)
		}
		dir := string(out[:len(out)-1])
		if dir == "" {
			return nil, fmt.Errorf("%s is not downloaded: run `go mod download` in %s", src.module, repo)
		}
		for _, f := range src.files {
			paths = append(paths, filepath.Join(dir, f))
			noConv[filepath.Join(dir, f)] = src.noConversion
		}
	}
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(b, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if noConv[p] {
			crd.Spec.Conversion = &apiextensionsv1.CustomResourceConversion{Strategy: apiextensionsv1.NoneConverter}
		}
		crds = append(crds, &crd)
	}
	return crds, nil
}

// controlPlane starts envtest with the locally built binaries, or connects
// to $KUBECONFIG.
func controlPlane(crds []*apiextensionsv1.CustomResourceDefinition) (*rest.Config, func(), error) {
	if kc := os.Getenv("KUBECONFIG"); kc != "" {
		cfg, err := clientcmd.BuildConfigFromFlags("", kc)
		return cfg, func() {}, err
	}
	env, cfg, stop, err := localControlPlane(crds)
	te = env
	return cfg, stop, err
}

// localControlPlane starts kube-apiserver (from $KILN_TOOLS) and Debian's
// etcd with envtest, crds installed.
func localControlPlane(crds []*apiextensionsv1.CustomResourceDefinition) (*envtest.Environment, *rest.Config, func(), error) {
	kas := filepath.Join(home.Default().Tools(), "kube-apiserver-v1.36.3", "kube-apiserver")
	if _, err := os.Stat(kas); err != nil {
		return nil, nil, nil, fmt.Errorf("%s is missing: run `make tools` (platform/tools/build.sh builds it from the Go module proxy)", kas)
	}
	etcd, err := exec.LookPath("etcd")
	if err != nil {
		return nil, nil, nil, fmt.Errorf("etcd is not on PATH: apt-get install etcd-server")
	}
	assets, err := os.MkdirTemp("", "kiln-envtest-")
	if err != nil {
		return nil, nil, nil, err
	}
	for name, target := range map[string]string{"kube-apiserver": kas, "etcd": etcd} {
		if err := os.Symlink(target, filepath.Join(assets, name)); err != nil {
			return nil, nil, nil, err
		}
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDInstallOptions: envtest.CRDInstallOptions{CRDs: crds}, ErrorIfCRDPathMissing: true}
	start := time.Now()
	cfg, err := env.Start()
	if err != nil {
		os.RemoveAll(assets)
		return nil, nil, nil, fmt.Errorf("starting kube-apiserver + etcd (envtest): %w", err)
	}
	fmt.Printf("==> kube-apiserver v1.36.3 + etcd up with %d CRDs in %s\n", len(crds), time.Since(start).Round(time.Millisecond))
	return env, cfg, func() { env.Stop(); os.RemoveAll(assets) }, nil
}

func setup() (func(), error) {
	var err error
	if repo, err = filepath.Abs("../.."); err != nil {
		return nil, err
	}
	crds, err := loadCRDs()
	if err != nil {
		return nil, err
	}
	cfg, stopCP, err := controlPlane(crds)
	if err != nil {
		return nil, err
	}
	scheme, err := reconciler.Scheme()
	if err != nil {
		return nil, err
	}
	if cl, err = client.New(cfg, client.Options{Scheme: scheme}); err != nil {
		return nil, err
	}
	ctx := context.Background()
	if os.Getenv("KUBECONFIG") != "" && os.Getenv("KILN_E2E_INSTALL_CRDS") == "1" {
		for _, crd := range crds {
			if err := cl.Create(ctx, crd); err != nil && !apierrors.IsAlreadyExists(err) {
				return nil, fmt.Errorf("installing CRD %s: %w", crd.Name, err)
			}
		}
	}
	if os.Getenv("KILN_BENCH") == "1" {
		// The benchmark runs the controller binary itself.
		return func() { stopCP() }, setupGateway(ctx)
	}
	// The controller runs as its ServiceAccount, with only what
	// controller/config/rbac grants it.
	if err := ensureNamespace(ctx, "kiln"); err != nil {
		return nil, err
	}
	if err := installRBAC(ctx, cl); err != nil {
		return nil, err
	}
	// Kiln's ClusterBuildStrategy: the controller reads the parameters it
	// declares before it makes a Build.
	if err := installStrategy(ctx, cl); err != nil {
		return nil, err
	}
	// Reconcile errors show in the test output.
	ctrl.SetLogger(zap.New(zap.WriteTo(os.Stdout), zap.Level(zapcore.ErrorLevel)))
	mgr, err := ctrl.NewManager(asController(cfg), ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0"})
	if err != nil {
		return nil, err
	}
	rcfg := render.DefaultConfig()
	for lang, img := range testBuilders {
		rcfg.Builders[lang] = img
	}
	if err := (&reconciler.FunctionReconciler{Client: mgr.GetClient(), Config: rcfg, MaxConcurrent: 4}).SetupWithManager(mgr); err != nil {
		return nil, err
	}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	if err := setupGateway(ctx); err != nil {
		cancel()
		return nil, err
	}
	return func() {
		cancel()
		<-done
		stopCP()
	}, nil
}

// setupGateway creates the Gateway config ConfigMaps kiln/kiln (shared with
// every namespace) and kiln/private (shared with none the tests use).
func setupGateway(ctx context.Context) error {
	if err := ensureNamespace(ctx, gatewayNS); err != nil {
		return err
	}
	for _, gw := range []*corev1.ConfigMap{
		{ObjectMeta: metav1.ObjectMeta{Name: "kiln", Namespace: gatewayNS},
			Data: map[string]string{"domain": "fn.example.com", "gatewayName": "kiln-gateway", "allowedNamespaces": "*"}},
		// One no test namespace may use.
		{ObjectMeta: metav1.ObjectMeta{Name: "private", Namespace: gatewayNS},
			Data: map[string]string{"domain": "internal.example.com", "gatewayName": "internal", "allowedNamespaces": "payments"}},
	} {
		if err := cl.Create(ctx, gw); err != nil && !apierrors.IsAlreadyExists(err) {
			return err
		}
	}
	return nil
}

func ensureNamespace(ctx context.Context, name string) error {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name}}
	if err := cl.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
		return err
	}
	return nil
}

// eventually polls ok until it returns nil or the deadline passes.
func eventually(t *testing.T, timeout time.Duration, what string, ok func() error) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		err := ok()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s: %v", what, timeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// dump renders v as JSON for failure messages.
func dump(v any) string {
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b)
}

// testBuilders are the controller's --builder flags in the suite.
var testBuilders = map[string]string{
	"go": "registry.example.com/kiln/builder-go:latest", "nodejs": "registry.example.com/kiln/builder-node:latest",
	"python": "registry.example.com/kiln/builder-python:latest", "java": "registry.example.com/kiln/builder-java:latest",
}

// installStrategy applies controller/config/strategy's ClusterBuildStrategy.
func installStrategy(ctx context.Context, c client.Client) error {
	p := filepath.Join(repo, "controller", "config", "strategy", "cluster_build_strategy.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		return err
	}
	var u unstructured.Unstructured
	if err := yaml.Unmarshal(b, &u.Object); err != nil {
		return fmt.Errorf("%s: %w", p, err)
	}
	if err := c.Apply(ctx, client.ApplyConfigurationFromUnstructured(&u), client.FieldOwner("kiln-e2e"), client.ForceOwnership); err != nil {
		return fmt.Errorf("%s: applying ClusterBuildStrategy %s: %w", p, u.GetName(), err)
	}
	return nil
}
