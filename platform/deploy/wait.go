package deploy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// The steps of a deploy, in order.
const (
	StepSource  = "source"
	StepApply   = "apply"
	StepBuild   = "build"
	StepServing = "serving"
	StepReady   = "ready"
)

// Phase is one thing that happened, for the user.
type Phase struct {
	Step, Message string
}

// FailedError is a Function whose build or serving failed: the condition
// says why.
type FailedError struct {
	Namespace, Name string
	Condition       metav1.Condition
}

func (e *FailedError) Error() string {
	what := "the build"
	if e.Condition.Type == v1alpha1.ConditionServingReady {
		what = "serving"
	}
	return fmt.Sprintf("Function %s/%s: %s failed: %s: %s (kubectl describe function %s -n %s)", e.Namespace, e.Name, what,
		e.Condition.Reason, e.Condition.Message, e.Name, e.Namespace)
}

// watcher follows one Function's status and tells progress what changed.
type watcher struct {
	progress func(Phase)
	seen     map[string]bool
	// stuck is the last thing waited for, for a timeout's message.
	stuck string
	// ingress gives a port-less localhost URL its port (ReachableURL).
	ingress string
	// async: the Function is driven by Dapr, not HTTP; it has no URL.
	async bool
}

func (w *watcher) say(step, msg string) {
	if !w.seen[step+"\x00"+msg] {
		w.seen[step+"\x00"+msg] = true
		w.progress(Phase{Step: step, Message: msg})
	}
}

// wait polls the Function until its status is of generation gen and it is
// Ready with a URL (an async one: Ready), or its build or serving failed,
// or ctx ends.
func wait(ctx context.Context, c client.Client, key client.ObjectKey, gen int64, async bool, poll time.Duration, progress func(Phase), ingress string) (*v1alpha1.FunctionStatus, error) {
	w := &watcher{progress: progress, seen: map[string]bool{}, ingress: ingress, async: async, stuck: "the controller to pick up generation " + fmt.Sprint(gen) + " (is Kiln's controller running? kubectl -n kiln get deploy kiln-controller)"}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		var f v1alpha1.Function
		if err := c.Get(ctx, key, &f); err != nil {
			// client-go's rate limiter refuses a call it could not make
			// before the deadline ("would exceed context deadline") while
			// ctx is still live: that is the timeout too.
			if ctx.Err() != nil || strings.Contains(err.Error(), "would exceed context deadline") {
				return nil, w.timeout(key, ctx)
			}
			return nil, fmt.Errorf("reading Function %s: %w", key, err)
		}
		done, err := w.observe(key, gen, &f.Status)
		if done || err != nil {
			return &f.Status, err
		}
		select {
		case <-ctx.Done():
			return nil, w.timeout(key, ctx)
		case <-t.C:
		}
	}
}

func (w *watcher) timeout(key client.ObjectKey, ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("Function %s: timed out waiting for %s", key, w.stuck)
	}
	return ctx.Err()
}

// observe reports what st says and whether the deploy is over.
func (w *watcher) observe(key client.ObjectKey, gen int64, st *v1alpha1.FunctionStatus) (bool, error) {
	if st.ObservedGeneration < gen {
		return false, nil
	}
	fail := func(c *metav1.Condition) error {
		return &FailedError{Namespace: key.Namespace, Name: key.Name, Condition: *c}
	}
	built := st.GetCondition(v1alpha1.ConditionBuilt)
	switch {
	case built == nil:
		w.stuck = "the build to start"
		return false, nil
	case built.Status == metav1.ConditionFalse:
		return true, fail(built)
	case built.Status == metav1.ConditionUnknown:
		w.say(StepBuild, built.Message)
		w.stuck = "the build: " + built.Message + " (kubectl get buildrun -n " + key.Namespace + ")"
		return false, nil
	}
	if st.Revision != nil && st.Revision.ImageDigest != "" {
		w.say(StepBuild, "image "+st.Revision.ImageDigest)
	}
	serving := st.GetCondition(v1alpha1.ConditionServingReady)
	switch {
	case serving == nil:
		w.stuck = "serving to start"
		return false, nil
	case serving.Status == metav1.ConditionFalse:
		return true, fail(serving)
	case serving.Status == metav1.ConditionUnknown:
		w.say(StepServing, serving.Message)
		w.stuck = "serving: " + serving.Reason + ": " + serving.Message
		return false, nil
	}
	w.say(StepServing, serving.Message)
	if w.async && st.IsReady() {
		w.say(StepReady, "Function "+key.String()+" (async: no URL; it runs on its triggers)")
		return true, nil
	}
	if !st.IsReady() || st.URL == "" {
		w.stuck = "a URL in status.url"
		return false, nil
	}
	w.say(StepReady, ReachableURL(st.URL, w.ingress))
	return true, nil
}
