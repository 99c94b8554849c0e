package reconciler

import (
	"context"
	"strings"
	"testing"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	appsv1 "k8s.io/api/apps/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/client/fake"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// failure makes the fake API server answer one kind of call with err:
// verb is get, list, create, apply, update, status or delete;
// kind is the object's kind ("" for any); name "" for any.
type failure struct {
	verb, kind, name string
	err              error
}

// newClient is the fake API server the reconciler talks to, holding objs:
// c is the manager's client (reads through informers), reader its uncached
// APIReader. Every call is checked against Permissions, as the API server
// would see it and through the ClusterRole it would need, and recorded for
// TestMain; failures are injected before the call.
func newClient(t *testing.T, failures []failure, objs ...client.Object) (c client.WithWatch, reader client.Reader, rec *recorder) {
	t.Helper()
	scheme, err := Scheme()
	if err != nil {
		t.Fatal(err)
	}
	rec = &recorder{t: t, scheme: scheme, on: true}
	inject := func(verb string, o runtime.Object, name string) error {
		kind := rec.gvk(o).Kind
		for _, f := range failures {
			if f.verb == verb && (f.kind == "" || f.kind == kind) && (f.name == "" || f.name == name) {
				return f.err
			}
		}
		return nil
	}
	// Kiln's ClusterBuildStrategy is installed (a row injects a get failure
	// to say it is not).
	objs = append([]client.Object{kilnStrategy(t)}, objs...)
	base := fake.NewClientBuilder().WithScheme(scheme).WithObjects(objs...).
		WithStatusSubresource(&v1alpha1.Function{}, &shp.BuildRun{}, &servingv1.Service{}, &appsv1.Deployment{}, &appsv1.StatefulSet{}).Build()
	direct := interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, o client.Object, opts ...client.GetOption) error {
			rec.directRead(o, "get")
			if err := inject("get", o, key.Name); err != nil {
				return err
			}
			return c.Get(ctx, key, o, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
			rec.directRead(l, "list")
			if err := inject("list", l, ""); err != nil {
				return err
			}
			return c.List(ctx, l, opts...)
		},
	}
	cached := interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, o client.Object, opts ...client.GetOption) error {
			rec.read(o)
			if err := inject("get", o, key.Name); err != nil {
				return err
			}
			return c.Get(ctx, key, o, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, l client.ObjectList, opts ...client.ListOption) error {
			rec.read(l)
			if err := inject("list", l, ""); err != nil {
				return err
			}
			return c.List(ctx, l, opts...)
		},
		Create: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.CreateOption) error {
			rec.write(o, "create")
			if err := inject("create", o, o.GetName()); err != nil {
				return err
			}
			return c.Create(ctx, o, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.UpdateOption) error {
			rec.write(o, "update")
			if err := inject("update", o, o.GetName()); err != nil {
				return err
			}
			return c.Update(ctx, o, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteOption) error {
			rec.write(o, "delete")
			if err := inject("delete", o, o.GetName()); err != nil {
				return err
			}
			return c.Delete(ctx, o, opts...)
		},
		DeleteAllOf: func(ctx context.Context, c client.WithWatch, o client.Object, opts ...client.DeleteAllOfOption) error {
			rec.write(o, "deletecollection")
			return c.DeleteAllOf(ctx, o, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, o client.Object, p client.Patch, opts ...client.PatchOption) error {
			rec.write(o, "patch")
			return c.Patch(ctx, o, p, opts...)
		},
		Apply: func(ctx context.Context, c client.WithWatch, ac runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
			u, ok := ac.(interface{ UnstructuredContent() map[string]any })
			if !ok {
				t.Fatalf("apply of %T: the reconciler applies unstructured objects", ac)
			}
			o := &unstructured.Unstructured{Object: u.UnstructuredContent()}
			// Server-side apply is a patch, and a create when the object is
			// new: the API server checks both verbs.
			rec.write(o, "patch")
			existing := &unstructured.Unstructured{}
			existing.SetGroupVersionKind(o.GroupVersionKind())
			if err := c.Get(ctx, client.ObjectKeyFromObject(o), existing); apierrors.IsNotFound(err) {
				rec.write(o, "create")
			}
			if err := inject("apply", o, o.GetName()); err != nil {
				return err
			}
			return c.Apply(ctx, ac, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, o client.Object, opts ...client.SubResourceUpdateOption) error {
			rec.sub(o, sub, "update")
			if err := inject(sub, o, o.GetName()); err != nil {
				return err
			}
			return c.SubResource(sub).Update(ctx, o, opts...)
		},
	}
	return interceptor.NewClient(base, cached), interceptor.NewClient(base, direct), rec
}

// reconciler is a FunctionReconciler on the fake API server.
func reconciler(c client.Client, reader client.Reader) *FunctionReconciler {
	return &FunctionReconciler{Client: c, APIReader: reader, Config: testConfig()}
}

// recorder checks each call against Permissions and notes it in observed,
// until stop (the test's own reads afterwards are not the reconciler's).
type recorder struct {
	t      *testing.T
	scheme *runtime.Scheme
	on     bool
}

func (r *recorder) stop()  { r.on = false }
func (r *recorder) start() { r.on = true }

func (r *recorder) gvk(o runtime.Object) schema.GroupVersionKind {
	gvk, err := apiutil.GVKForObject(o, r.scheme)
	if err != nil {
		r.t.Fatalf("%T: %v", o, err)
	}
	gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	return gvk
}

func (r *recorder) resource(o runtime.Object) (string, string) {
	gvr, _ := meta.UnsafeGuessKindToResource(r.gvk(o))
	return gvr.Group, gvr.Resource
}

// read is a Get or List through the manager's client, which reads from
// informers: the API server sees a list and a watch, which the controller
// needs cluster-wide.
func (r *recorder) read(o runtime.Object) {
	g, res := r.resource(o)
	r.use(RoleController, g, res, "list")
	r.use(RoleController, g, res, "watch")
}

// directRead is a Get or List through the APIReader, as it is: Gateway
// configs where the platform keeps them, the rest where Functions live.
func (r *recorder) directRead(o runtime.Object, verb string) {
	g, res := r.resource(o)
	role := RoleChildren
	switch {
	case g == "" && res == "configmaps":
		role = RoleGatewayConfig
	case res == "clusterbuildstrategies": // cluster-scoped
		role = RoleController
	}
	r.use(role, g, res, verb)
}

// write is a write as it is: to a Function (its finalizer) with the
// cluster-wide role, to a child with the one bound where Functions live.
func (r *recorder) write(o runtime.Object, verb string) {
	g, res := r.resource(o)
	role := RoleChildren
	if g == v1alpha1.GroupVersion.Group {
		role = RoleController
	}
	r.use(role, g, res, verb)
	// Setting an owner reference with blockOwnerDeletion needs update on
	// the owner's finalizers (the OwnerReferencesPermissionEnforcement
	// admission plugin).
	if m, err := meta.Accessor(o); err == nil && (verb == "create" || verb == "patch" || verb == "update") {
		for _, ref := range m.GetOwnerReferences() {
			if ref.BlockOwnerDeletion != nil && *ref.BlockOwnerDeletion && ref.Kind == "Function" {
				r.use(RoleChildren, v1alpha1.GroupVersion.Group, "functions/finalizers", "update")
			}
		}
	}
}

func (r *recorder) sub(o runtime.Object, sub, verb string) {
	g, res := r.resource(o)
	r.use(RoleController, g, res+"/"+sub, verb)
}

func (r *recorder) use(role, group, resource, verb string) {
	r.t.Helper()
	if !r.on {
		return
	}
	if !Permissions.Allows(role, group, resource, verb) {
		r.t.Errorf("the reconciler does %s on %s, which Permissions (permissions.go) does not grant through %s", verb, groupResource(group, resource), role)
	}
	observed.add(role, group, resource, verb)
}

// owner sets f as o's controller, as the reconciler does.
func owner(f *v1alpha1.Function, o client.Object) client.Object {
	o.SetOwnerReferences([]metav1.OwnerReference{*metav1.NewControllerRef(f, v1alpha1.GroupVersion.WithKind("Function"))})
	return o
}
