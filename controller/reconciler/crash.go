package reconciler

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	servingv1 "knative.dev/serving/pkg/apis/serving/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/render"
)

// knativeRevisionLabel is the label Knative puts on a revision's pods.
const knativeRevisionLabel = "serving.knative.dev/revision"

// revisionCrash looks at the pods of ks's newest revision while Knative has
// not made it ready: a function container that exited and is being
// restarted fails serving at once with its exit code and last words (its
// termination message, which Knative fills from the log), where Knative
// itself reports the revision failed only when its Deployment passes the
// progress deadline (10 minutes by default). waiting says a revision
// waits (and no pod of it has crashed yet): there is no watch on pods, so
// the caller looks again. Pods are read straight from the API server (no
// pod informer), only while a revision waits.
func (r *FunctionReconciler) revisionCrash(ctx context.Context, ks *servingv1.Service) (crash string, waiting bool, err error) {
	rev := ks.Status.LatestCreatedRevisionName
	if rev == "" || rev == ks.Status.LatestReadyRevisionName {
		return "", false, nil
	}
	var pods corev1.PodList
	if err := r.APIReader.List(ctx, &pods, client.InNamespace(ks.Namespace), client.MatchingLabels{knativeRevisionLabel: rev}); err != nil {
		return "", false, err
	}
	for _, p := range pods.Items {
		for _, c := range p.Status.ContainerStatuses {
			t := c.LastTerminationState.Terminated
			if c.Name != render.FunctionContainer || c.RestartCount == 0 || t == nil {
				continue
			}
			restarts := fmt.Sprintf("restarted %d times", c.RestartCount)
			if c.RestartCount == 1 {
				restarts = "restarted once"
			}
			msg := fmt.Sprintf("revision %s: container %s of pod %s exits on start (exit code %d, %s)", rev, c.Name, p.Name, t.ExitCode, restarts)
			if words := lastLines(plainText(t.Message), 5, 800); words != "" {
				msg += ": " + words
			}
			return msg + fmt.Sprintf(" (kubectl logs -n %s %s -c %s --previous)", p.Namespace, p.Name, c.Name), false, nil
		}
	}
	return "", true, nil
}

// lastLines is the last n non-empty lines of s, at most max bytes,
// joined by " | ".
func lastLines(s string, n, max int) string {
	var lines []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	out := strings.Join(lines, " | ")
	if len(out) > max {
		// Cut at a rune boundary: a status message is UTF-8, and half a
		// rune would reach the API server as U+FFFD.
		i := len(out) - max
		for i < len(out) && !utf8.RuneStart(out[i]) {
			i++
		}
		out = "…" + out[i:]
	}
	return out
}
