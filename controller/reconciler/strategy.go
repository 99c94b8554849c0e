package reconciler

import (
	"context"
	"fmt"
	"time"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// strategyRetry is when a Function whose build strategy is missing is
// looked at again: the controller does not watch strategies.
const strategyRetry = 30 * time.Second

// strategyParams reads the (Cluster)BuildStrategy f's build names, straight
// from the API server (no informer: one get per build reconcile), and
// returns how messages name it and the parameters it declares. A strategy
// that is missing, or whose API is, is marked on st (found false); errors
// are worth a retry.
func (r *FunctionReconciler) strategyParams(ctx context.Context, f *v1alpha1.Function, st *v1alpha1.FunctionStatus) (name string, declared []string, found bool, err error) {
	s := f.Spec.Build.Shipwright.Strategy
	kind := *s.Kind
	name = kind + " " + s.Name
	var spec *shp.BuildStrategySpec
	var obj client.Object
	key := client.ObjectKey{Name: s.Name}
	if kind == v1alpha1.BuildStrategyKind {
		key.Namespace = f.Namespace
		o := &shp.BuildStrategy{}
		o.SetGroupVersionKind(shp.SchemeGroupVersion.WithKind(kind))
		obj, spec = o, &o.Spec
	} else {
		o := &shp.ClusterBuildStrategy{}
		o.SetGroupVersionKind(shp.SchemeGroupVersion.WithKind(kind))
		obj, spec = o, &o.Spec
	}
	if err := r.APIReader.Get(ctx, key, obj); err != nil {
		if apierrors.IsNotFound(err) {
			where := "the cluster's (kubectl get clusterbuildstrategies)"
			if key.Namespace != "" {
				name += " in namespace " + key.Namespace
				where = "one of namespace " + key.Namespace + "'s (kubectl get buildstrategies -n " + key.Namespace + ")"
			}
			st.MarkBuildStrategyNotFound(fmt.Sprintf("spec.build.shipwright.strategy: %s is not installed: apply Kiln's (kubectl apply -k controller/config/strategy) or name %s", name, where))
			return name, nil, false, nil
		}
		obj.SetName(s.Name)
		return name, nil, false, childFailure(st.MarkBuildFailed, obj, err)
	}
	return name, render.StrategyParams(spec), true, nil
}
