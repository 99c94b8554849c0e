package reconciler

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// DefaultAPIPollInterval is how often the controller asks the API server's
// discovery whether an owned kind it could not watch at start (its CRDs were
// not installed) is served now.
const DefaultAPIPollInterval = 30 * time.Second

// products name the project whose CRDs serve each API group a Function's
// children come from, for the APINotInstalled condition and the logs.
var products = map[string]string{
	"shipwright.io":             "Shipwright Build",
	"serving.knative.dev":       "Knative Serving",
	"keda.sh":                   "KEDA",
	"dapr.io":                   "Dapr",
	"gateway.networking.k8s.io": "Gateway API",
}

// product names who installs gk's API ("its CRDs" when Kiln does not know).
func product(group string) string {
	if p := products[group]; p != "" {
		return p
	}
	return "its CRDs"
}

// served says whether the cluster serves kind's API, asking discovery
// through mapper (which re-asks on every miss: an API installed later is
// seen). A missing API is not an error; failing to ask is.
func served(mapper meta.RESTMapper, scheme *runtime.Scheme, kind client.Object) (schema.GroupVersionKind, bool, error) {
	gvk, err := apiutil.GVKForObject(kind, scheme)
	if err != nil {
		return gvk, false, err
	}
	_, err = mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	switch {
	case err == nil:
		return gvk, true, nil
	case meta.IsNoMatchError(err):
		return gvk, false, nil
	}
	return gvk, false, fmt.Errorf("asking the API server whether it serves %s: %w", gvk, err)
}

// apiWatcher waits for the owned kinds whose APIs were missing when the
// controller started: when one is served it starts watching it and brings
// every Function back, so those marked APINotInstalled apply what they
// need. It stops once nothing is missing.
type apiWatcher struct {
	ctrl     controller.Controller
	cache    cache.Cache
	mapper   meta.RESTMapper
	scheme   *runtime.Scheme
	reader   client.Reader
	missing  []client.Object
	interval time.Duration
	// requeue carries every Function to the controller when an API appears.
	requeue chan event.GenericEvent
}

// apiLog is where the controller says which optional APIs it watches.
var apiLog = ctrllog.Log.WithName("apis")

// Start implements manager.Runnable.
func (w *apiWatcher) Start(ctx context.Context) error {
	t := time.NewTicker(w.interval)
	defer t.Stop()
	for len(w.missing) > 0 {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		found, err := w.check()
		if err != nil {
			// Discovery failing now and then is no reason to stop the
			// controller: ask again at the next tick (after requeueing for
			// any watch that did start before the error).
			apiLog.Error(err, "checking for newly installed APIs")
		}
		if found && !w.requeueAll(ctx) {
			return nil
		}
	}
	return nil
}

// check starts a watch on every missing kind that is served now, and says
// whether it started one.
func (w *apiWatcher) check() (bool, error) {
	var still []client.Object
	found := false
	for i, kind := range w.missing {
		gvk, ok, err := served(w.mapper, w.scheme, kind)
		if err == nil && ok {
			err = w.ctrl.Watch(source.Kind(w.cache, kind, handler.EnqueueRequestForOwner(w.scheme, w.mapper, &v1alpha1.Function{}, handler.OnlyControllerOwner())))
			if err != nil {
				err = fmt.Errorf("watching %s: %w", gvk, err)
			}
		}
		if err != nil {
			w.missing = append(still, w.missing[i:]...)
			return found, err
		}
		if !ok {
			still = append(still, kind)
			continue
		}
		apiLog.Info("API installed: watching it now", "kind", gvk.String(), "from", product(gvk.Group))
		found = true
	}
	w.missing = still
	return found, nil
}

// requeueAll brings every Function back; false when ctx ended first.
func (w *apiWatcher) requeueAll(ctx context.Context) bool {
	var fns v1alpha1.FunctionList
	if err := w.reader.List(ctx, &fns); err != nil {
		apiLog.Error(err, "listing Functions to reconcile them again")
		return true
	}
	for i := range fns.Items {
		select {
		case w.requeue <- event.GenericEvent{Object: &fns.Items[i]}:
		case <-ctx.Done():
			return false
		}
	}
	return true
}
