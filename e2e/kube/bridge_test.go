package kube

import (
	"context"
	"fmt"
	"testing"

	daprv1alpha1 "github.com/dapr/dapr/pkg/apis/components/v1alpha1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/e2e-framework/pkg/envconf"
	"sigs.k8s.io/e2e-framework/pkg/features"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// TestSyncAsyncBridge: a Knative Function with outputs (OpenFunction's
// sync→async bridge) gets the Dapr sidecar annotations on its Knative
// Service and its Components, accepted by the real CRDs, owned by it, and
// removed with its outputs.
func TestSyncAsyncBridge(t *testing.T) {
	f := features.New("Knative Function with outputs: daprd sidecar annotations and Components").
		Assess("Knative Service annotated for Dapr, both Components scoped to its app id; gone with the outputs", func(ctx context.Context, t *testing.T, _ *envconf.Config) context.Context {
			ns := namespace(t, "bridge")
			if err := cl.Create(ctx, function(t, "sync-outputs", ns)); err != nil {
				t.Fatal(err)
			}
			fn := buildSucceeds(t, ns, "front", digest1)
			var ks servingv1.Service
			eventually(t, wait, "Knative Service", func() error { return get(ctx, ns, "front", &ks) })
			ann := ks.Spec.Template.Annotations
			if ann["dapr.io/enabled"] != "true" || ann["dapr.io/app-id"] != "front-"+ns || ann["dapr.io/app-port"] != "8080" ||
				ann["dapr.io/app-protocol"] != "http" || ann["dapr.io/log-level"] != "debug" {
				t.Fatalf("Knative Service template annotations: %v", ann)
			}
			for _, name := range []string{"front-events", "front-orders-out"} {
				var comp daprv1alpha1.Component
				eventually(t, wait, "Component "+name, func() error { return get(ctx, ns, name, &comp) })
				if len(comp.Scopes) != 1 || comp.Scopes[0] != "front-"+ns {
					t.Fatalf("Component %s scopes: %v", name, comp.Scopes)
				}
				ownedBy(t, &comp, fn)
			}
			playKnative(t, ns, "front")
			condition(t, ns, "front", v1alpha1.ConditionReady, metav1.ConditionTrue, "Ready")

			updateFunction(t, ns, "front", func(f *v1alpha1.Function) {
				f.Spec.Serving.Outputs, f.Spec.Serving.Bindings, f.Spec.Serving.Pubsub = nil, nil, nil
			})
			gone(t, ns, "front-events", &daprv1alpha1.Component{})
			gone(t, ns, "front-orders-out", &daprv1alpha1.Component{})
			eventually(t, wait, "no Dapr annotations once the outputs are gone", func() error {
				if err := get(ctx, ns, "front", &ks); err != nil {
					return err
				}
				if ks.Spec.Template.Annotations["dapr.io/enabled"] != "" {
					return fmt.Errorf("annotations: %v", ks.Spec.Template.Annotations)
				}
				return nil
			})
			var left daprv1alpha1.ComponentList
			if err := cl.List(ctx, &left, client.InNamespace(ns)); err != nil || len(left.Items) != 0 {
				t.Fatalf("Components left: %v %d", err, len(left.Items))
			}
			return ctx
		}).Feature()
	testenv.Test(t, f)
}
