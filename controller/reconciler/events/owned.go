package events

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	core "kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/reconciler"
	rev "kiln.dev/kiln/controller/render/events"
)

// live reads the API server (never the informer cache): Secrets, so the
// cluster's Secrets are never cached, and the handler's Function before it
// is written, so the check of who controls it is not made on a stale copy.
func (r *Reconciler) live() client.Reader {
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

// checked is what nameTaken read of one of the handler's objects: whether
// it exists (then o controls it) and at which resourceVersion.
type checked struct {
	exists          bool
	resourceVersion string
}

// nameTaken checks, on the API server, that the handler's Function f (and
// Secret s, when the handler has one) either do not exist or are controlled
// by o; otherwise it records FunctionNameTaken or SecretNameTaken and
// applies nothing, so a user's object of that name is never taken over.
// What it read is the precondition of the writes (writeOwned).
func (r *Reconciler) nameTaken(ctx context.Context, o object, f *core.Function, s *corev1.Secret) (taken bool, fn, secret checked, err error) {
	for _, ck := range []struct {
		kind string
		obj  client.Object
		into *checked
	}{{"Function", &core.Function{}, &fn}, {"Secret", &corev1.Secret{}, &secret}} {
		if ck.kind == "Secret" && s == nil {
			continue
		}
		ck.obj.SetNamespace(f.Namespace)
		ck.obj.SetName(f.Name)
		exists, ours, by, err := controlled(ctx, r.live(), o, ck.obj)
		if err != nil {
			return false, fn, secret, fmt.Errorf("%s %s/%s: %s %s: reading: %w", kind(o), o.GetNamespace(), o.GetName(), ck.kind, f.Name, err)
		}
		if exists && !ours {
			o.status().MarkNameTaken(ck.kind, f.Name, ownerKind(o), o.GetName(), by)
			return true, fn, secret, nil
		}
		*ck.into = checked{exists: exists, resourceVersion: ck.obj.GetResourceVersion()}
	}
	return false, fn, secret, nil
}

// writeOwned writes obj, controlled by o, on what nameTaken read: it
// creates it when it did not exist (AlreadyExists if one appeared since:
// the next reconcile checks it again) and otherwise applies it at the
// resourceVersion read (a Conflict if it changed since), so an object made
// or re-owned in between is never overwritten.
func (r *Reconciler) writeOwned(ctx context.Context, o object, obj client.Object, was checked) error {
	if was.exists {
		return reconciler.ApplyAt(ctx, r.Client, o.inner(), obj, FieldOwner, was.resourceVersion)
	}
	if err := controllerutil.SetControllerReference(o.inner(), obj, r.Scheme()); err != nil {
		return err
	}
	return r.Create(ctx, obj, client.FieldOwner(FieldOwner))
}

// applyCredentials writes the handler's Secret, owned by o, and stamps its
// resourceVersion on the Function's pods (a new password restarts them).
// With no Secret it does nothing: the one o's handler had is deleted once
// the Function that no longer names it is applied (dropStaleCredentials),
// since daprd fails to load a Component whose Secret is missing.
func (r *Reconciler) applyCredentials(ctx context.Context, o object, h *rev.Handler, was checked) error {
	if h.Secret == nil {
		return nil
	}
	if err := r.writeOwned(ctx, o, h.Secret, was); err != nil {
		return err
	}
	h.Function.Spec.Serving.Annotations[AnnotationCredentialsVersion] = h.Secret.ResourceVersion
	return nil
}

// dropStaleCredentials deletes the Secret o's handler had when the handler
// has none now (no stale password is left behind).
func (r *Reconciler) dropStaleCredentials(ctx context.Context, o object, h *rev.Handler) error {
	if h.Secret != nil {
		return nil
	}
	return r.deleteOwned(ctx, o, &corev1.Secret{}, h.Function.Namespace, h.Function.Name)
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
		rd = r.live()
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
