package events

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
	rev "kiln.dev/kiln/controller/render/events"
)

// secrets is the reader of Secrets (never the informer cache).
func (r *Reconciler) secrets() client.Reader {
	if r.Secrets != nil {
		return r.Secrets
	}
	return r.Client
}

// controlled reads the object of o's kind named like into o and says
// whether it exists and whether owner controls it; by names its controller
// otherwise ("" for none).
func controlled(ctx context.Context, c client.Reader, owner, o client.Object) (exists, ours bool, by string, err error) {
	err = c.Get(ctx, client.ObjectKeyFromObject(o), o)
	if apierrors.IsNotFound(err) {
		return false, false, "", nil
	}
	if err != nil {
		return false, false, "", err
	}
	ref := metav1.GetControllerOf(o)
	if ref == nil {
		return true, false, "", nil
	}
	return true, ref.UID == owner.GetUID(), ref.Kind + " " + ref.Name, nil
}

// nameTaken checks that the handler's Function f (and Secret s, when the
// handler has one) either do not exist or are controlled by o; otherwise
// it records FunctionNameTaken or SecretNameTaken and applies nothing, so
// a user's object of that name is never taken over.
func (r *Reconciler) nameTaken(ctx context.Context, o object, f *core.Function, s *corev1.Secret) (bool, error) {
	checks := []struct {
		kind string
		c    client.Reader
		obj  client.Object
	}{{"Function", r.Client, &core.Function{}}}
	if s != nil {
		checks = append(checks, struct {
			kind string
			c    client.Reader
			obj  client.Object
		}{"Secret", r.secrets(), &corev1.Secret{}})
	}
	for _, ck := range checks {
		ck.obj.SetNamespace(f.Namespace)
		ck.obj.SetName(f.Name)
		exists, ours, by, err := controlled(ctx, ck.c, o, ck.obj)
		if err != nil {
			return false, fmt.Errorf("%s %s/%s: %s %s: reading: %w", kind(o), o.GetNamespace(), o.GetName(), ck.kind, f.Name, err)
		}
		if exists && !ours {
			o.status().MarkNameTaken(ck.kind, f.Name, ownerKind(o), o.GetName(), by)
			return true, nil
		}
	}
	return false, nil
}

// applyCredentials applies the handler's Secret, owned by o, and stamps its
// resourceVersion on the Function's pods (a new password restarts them);
// with no Secret, it deletes the one o's handler had (no stale password is
// left behind).
func (r *Reconciler) applyCredentials(ctx context.Context, o object, h *rev.Handler) error {
	if h.Secret == nil {
		return r.deleteOwned(ctx, o, &corev1.Secret{}, h.Function.Namespace, h.Function.Name)
	}
	if err := reconciler.Apply(ctx, r.Client, o.inner(), h.Secret, FieldOwner); err != nil {
		return err
	}
	h.Function.Spec.Serving.Annotations[AnnotationCredentialsVersion] = h.Secret.ResourceVersion
	return nil
}

// stopHandler deletes o's handler Function and Secret (those o controls).
func (r *Reconciler) stopHandler(ctx context.Context, o object) error {
	name := o.handler()
	if err := r.deleteOwned(ctx, o, &core.Function{}, o.GetNamespace(), name); err != nil {
		return err
	}
	o.status().Function = ""
	return r.deleteOwned(ctx, o, &corev1.Secret{}, o.GetNamespace(), name)
}

// deleteOwned deletes the object of obj's kind ns/name when o controls it.
func (r *Reconciler) deleteOwned(ctx context.Context, o object, obj client.Object, ns, name string) error {
	obj.SetNamespace(ns)
	obj.SetName(name)
	rd := client.Reader(r.Client)
	if _, ok := obj.(*corev1.Secret); ok {
		rd = r.secrets()
	}
	_, ours, _, err := controlled(ctx, rd, o, obj)
	if err != nil || !ours {
		return err
	}
	if err := r.Delete(ctx, obj, client.Preconditions{UID: ptrTo(obj.GetUID())}); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("%s %s/%s: deleting %s: %w", kind(o), ns, o.GetName(), name, err)
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func ownerKind(o object) string {
	if _, ok := o.(trigger); ok {
		return "Trigger"
	}
	return "EventSource"
}
