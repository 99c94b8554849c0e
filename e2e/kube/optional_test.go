package kube

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"knative.dev/pkg/apis"
	duckv1 "knative.dev/pkg/apis/duck/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
	evreconciler "kiln.dev/kiln/controller/reconciler/events"
	"kiln.dev/kiln/controller/render"
)

// TestOptionalAPIsAbsent runs the controller on its own control plane that
// serves only Kiln's and Shipwright's CRDs (no Knative, KEDA, Dapr or
// Gateway API): it must start, reconcile a Function that needs only a
// Deployment, mark one that needs Knative APINotInstalled, and pick Knative
// up when its CRD is installed afterwards, without a restart.
func TestOptionalAPIsAbsent(t *testing.T) {
	if os.Getenv("KUBECONFIG") != "" || os.Getenv("KILN_BENCH") == "1" {
		t.Skip("needs its own local control plane (not $KUBECONFIG's cluster, whose CRDs it cannot remove)")
	}
	all, err := loadCRDs()
	if err != nil {
		t.Fatal(err)
	}
	var base []*apiextensionsv1.CustomResourceDefinition
	var knative *apiextensionsv1.CustomResourceDefinition
	for _, crd := range all {
		switch crd.Spec.Group {
		case v1alpha1.GroupVersion.Group, "shipwright.io":
			base = append(base, crd)
		case "serving.knative.dev":
			knative = crd.DeepCopy()
		}
	}
	if knative == nil || len(base) < 2 {
		t.Fatalf("CRDs: want Kiln's, Shipwright's and Knative's among %d", len(all))
	}
	_, cfg, stop, err := localControlPlane(base)
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	scheme, err := reconciler.Scheme()
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, ns := range []string{"kiln", "optional"} {
		if err := c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := installRBAC(ctx, c); err != nil {
		t.Fatal(err)
	}
	// A short cache sync timeout: a watch on a kind the cluster does not
	// serve would stop the manager within it.
	mgr, err := ctrl.NewManager(asController(cfg), ctrl.Options{Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0", Controller: config.Controller{CacheSyncTimeout: 3 * time.Second, SkipNameValidation: ptr(true)}})
	if err != nil {
		t.Fatal(err)
	}
	r := &reconciler.FunctionReconciler{Client: mgr.GetClient(), Config: render.DefaultConfig(), APIPollInterval: 100 * time.Millisecond}
	if err := r.SetupWithManager(mgr); err != nil {
		t.Fatal(err)
	}
	// events.kiln.dev is not installed either: its controllers stay off
	// rather than stop the manager.
	if err := evreconciler.Setup(mgr, &evreconciler.Options{Enabled: true, HandlerImage: evreconciler.DefaultHandlerImage}); err != nil {
		t.Fatal(err)
	}
	mctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- mgr.Start(mctx) }()
	defer func() {
		cancel()
		<-done
	}()
	running := func() {
		t.Helper()
		select {
		case err := <-done:
			t.Fatalf("the manager stopped: %v", err)
		default:
		}
	}

	// Only a Deployment: an async Function on an existing Dapr component.
	dep := &v1alpha1.Function{ObjectMeta: metav1.ObjectMeta{Name: "plain", Namespace: "optional"}, Spec: v1alpha1.FunctionSpec{
		Image:   "registry.example.com/fn/plain:v1",
		Serving: &v1alpha1.ServingImpl{Triggers: &v1alpha1.Triggers{Dapr: []*v1alpha1.DaprTrigger{{Name: "existing-in", Type: "bindings.mqtt3"}}}}}}
	// A Knative Service.
	kn := &v1alpha1.Function{ObjectMeta: metav1.ObjectMeta{Name: "web", Namespace: "optional"}, Spec: v1alpha1.FunctionSpec{
		Image: "registry.example.com/fn/web:v1", Serving: &v1alpha1.ServingImpl{}}}
	for _, f := range []*v1alpha1.Function{dep, kn} {
		if err := c.Create(ctx, f); err != nil {
			t.Fatal(err)
		}
	}
	playStatus(t, c, "optional", "plain", &appsv1.Deployment{}, func(o client.Object) {
		d := o.(*appsv1.Deployment)
		d.Status.Replicas, d.Status.ReadyReplicas, d.Status.AvailableReplicas = 1, 1, 1
	})
	fnCondition(t, c, "optional", "plain", v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "")
	fnCondition(t, c, "optional", "web", v1alpha1.ConditionServingReady, metav1.ConditionFalse, v1alpha1.ReasonAPINotInstalled,
		"serving.knative.dev/v1 Service web: the cluster does not serve this API; install Knative Serving")
	running()

	// Knative installed later: the controller watches it and the Function
	// follows its Service to Ready (a status change only the new watch sees).
	if _, err := envtest.InstallCRDs(cfg, envtest.CRDInstallOptions{CRDs: []*apiextensionsv1.CustomResourceDefinition{knative}}); err != nil {
		t.Fatal(err)
	}
	playStatus(t, c, "optional", "web", &servingv1.Service{}, func(o client.Object) {
		ks := o.(*servingv1.Service)
		ks.Status.Conditions = duckv1.Conditions{{Type: apis.ConditionReady, Status: corev1.ConditionTrue, LastTransitionTime: apis.VolatileTime{Inner: metav1.Now()}}}
		ks.Status.URL = apis.HTTP("web.optional.svc.cluster.local")
		ks.Status.ObservedGeneration = ks.Generation
	})
	fnCondition(t, c, "optional", "web", v1alpha1.ConditionReady, metav1.ConditionTrue, v1alpha1.ReasonReady, "")
	running()
}

// playStatus waits for ns/name through c, then sets its status with set,
// again on a conflict, as the kind's own controller would.
func playStatus(t *testing.T, c client.Client, ns, name string, o client.Object, set func(client.Object)) {
	t.Helper()
	key := client.ObjectKey{Namespace: ns, Name: name}
	eventually(t, wait, fmt.Sprintf("%T %s", o, name), func() error { return c.Get(context.Background(), key, o) })
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if err := c.Get(context.Background(), key, o); err != nil {
			return err
		}
		set(o)
		return c.Status().Update(context.Background(), o)
	})
	if err != nil {
		t.Fatalf("playing the controller of %T %s: %v", o, name, err)
	}
}

// fnCondition waits until the Function's condition has status and reason,
// and a message containing msg.
func fnCondition(t *testing.T, c client.Client, ns, name, typ string, status metav1.ConditionStatus, reason, msg string) {
	t.Helper()
	eventually(t, wait, fmt.Sprintf("Function %s/%s %s=%s %s", ns, name, typ, status, reason), func() error {
		var f v1alpha1.Function
		if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &f); err != nil {
			return err
		}
		cond := meta.FindStatusCondition(f.Status.Conditions, typ)
		if cond == nil || cond.Status != status || cond.Reason != reason || !strings.Contains(cond.Message, msg) {
			return fmt.Errorf("conditions: %s", dump(f.Status.Conditions))
		}
		return nil
	})
}
