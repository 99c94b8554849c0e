package events

import (
	"context"
	"strings"
	"sync"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	ev "kiln.dev/kiln/controller/api/events/v1alpha1"
	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
)

// failure makes the fake API server answer one verb (get, list, apply,
// delete, status) on one kind ("" for any) with err.
type failure struct {
	verb, kind string
	err        error
}

// used records every group/resource:verb the reconcilers needed, across
// tests, for TestEveryPermissionIsUsed.
var used = struct {
	sync.Mutex
	m map[string]bool
}{m: map[string]bool{}}

func resource(kind string) string {
	k := strings.ToLower(kind)
	if strings.HasSuffix(k, "bus") {
		return k + "es"
	}
	return k + "s"
}

// newClient is the fake API server holding objs. Every call is checked
// against Permissions as the API server would see it (reads go through the
// manager's informers: list and watch), recorded, and failures injected.
func newClient(t *testing.T, failures []failure, objs ...client.Object) client.Client {
	t.Helper()
	scheme, err := reconciler.Scheme()
	if err != nil {
		t.Fatal(err)
	}
	if err := ev.AddToScheme(scheme); err != nil {
		t.Fatal(err)
	}
	check := func(verb string, o runtime.Object, sub string) error {
		gvk, err := apiutil.GVKForObject(o, scheme)
		if err != nil {
			t.Fatal(err)
		}
		kind := strings.TrimSuffix(gvk.Kind, "List")
		res := resource(kind) + sub
		var need []string
		switch verb {
		case "get", "list":
			need = []string{"list", "watch"}
			switch kind {
			case "Secret":
				// Secrets are read uncached (Reconciler.Secrets): a get.
				need = []string{"get"}
			case "Function":
				// Handler Functions are read live before a write (a get),
				// and watched (Owns: list, watch).
				need = []string{"get", "list", "watch"}
			}
		case "apply":
			need = []string{"patch"}
		case "create":
			need = []string{"create"}
		case "delete":
			need = []string{"delete"}
		case "status":
			need = []string{"update"}
		}
		for _, v := range need {
			if !Allows(gvk.Group, res, v) {
				t.Errorf("%s %s needs %s/%s:%s, which Permissions does not grant", verb, kind, gvk.Group, res, v)
			}
			used.Lock()
			used.m[gvk.Group+"/"+res+":"+v] = true
			used.Unlock()
		}
		for _, f := range failures {
			// An "apply" failure is one of any write: a handler object is
			// created when new, applied when there.
			if (f.verb == verb || f.verb == "apply" && verb == "create") && (f.kind == "" || f.kind == kind) {
				return f.err
			}
		}
		return nil
	}
	return fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&ev.EventSource{}, &ev.Trigger{}, &core.Function{}).
		WithInterceptorFuncs(interceptor.Funcs{
			Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, o client.Object, opts ...client.GetOption) error {
				if err := check("get", o, ""); err != nil {
					return err
				}
				return c.Get(ctx, key, o, opts...)
			},
			List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
				if err := check("list", l, ""); err != nil {
					return err
				}
				return c.List(ctx, l, opts...)
			},
			Apply: func(ctx context.Context, c client.WithWatch, o runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
				var obj runtime.Object = &core.Function{}
				if k, ok := o.(interface{ GetKind() string }); ok && k.GetKind() == "Secret" {
					obj = &corev1.Secret{}
				}
				if err := check("apply", obj, ""); err != nil {
					return err
				}
				return c.Apply(ctx, o, opts...)
			},
			Create: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.CreateOption) error {
				if err := check("create", o, ""); err != nil {
					return err
				}
				return c.Create(ctx, o, opts...)
			},
			Delete: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteOption) error {
				if err := check("delete", o, ""); err != nil {
					return err
				}
				return c.Delete(ctx, o, opts...)
			},
			SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, o client.Object, opts ...client.SubResourceUpdateOption) error {
				if err := check("status", o, "/"+sub); err != nil {
					return err
				}
				return c.SubResource(sub).Update(ctx, o, opts...)
			},
		}).Build()
}
