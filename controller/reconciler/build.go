package reconciler

import (
	"context"
	"errors"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// shipwrightTimeout is the reason Shipwright gives a BuildRun that ran out
// of time.
const shipwrightTimeout = "BuildRunTimeout"

// reconcileBuild applies the Build and its cache PVC, starts a BuildRun for
// the current build hash, and returns the pinned image once it succeeded
// ("" while it runs or when it failed).
func (r *FunctionReconciler) reconcileBuild(ctx context.Context, f *v1alpha1.Function, cfg render.Config, st *v1alpha1.FunctionStatus) (string, error) {
	build, pvc, err := render.Build(f, cfg)
	if unknown := (*render.UnknownLanguageError)(nil); errors.As(err, &unknown) {
		st.MarkUnknownLanguage(unknown.Error())
		return "", nil
	}
	if err != nil {
		st.MarkBuildFailed(v1alpha1.ReasonInvalidBuild, err.Error())
		return "", nil
	}
	if _, err := r.createOnce(ctx, f, pvc); err != nil {
		return "", childFailure(st.MarkBuildFailed, pvc, err)
	}
	if sa := render.BuildServiceAccount(f); sa != nil {
		if err := r.apply(ctx, f, sa); err != nil {
			return "", childFailure(st.MarkBuildFailed, sa, err)
		}
	}
	if err := r.apply(ctx, f, build); err != nil {
		return "", childFailure(st.MarkBuildFailed, build, err)
	}
	hash := render.BuildHash(f)
	run := render.BuildRun(f, hash)
	created, err := r.createOnce(ctx, f, run)
	if err != nil {
		return "", childFailure(st.MarkBuildFailed, run, err)
	}
	if !created {
		// It was started in an earlier pass; the cache may not have it yet,
		// and then its create event brings the Function back.
		if err := r.Get(ctx, client.ObjectKeyFromObject(run), run); err != nil && !apierrors.IsNotFound(err) {
			return "", err
		}
	}
	return buildOutcome(f, run, hash, st), nil
}

// buildOutcome records what run's Succeeded condition says and returns the
// image it built, pinned by digest ("" unless it succeeded).
func buildOutcome(f *v1alpha1.Function, run *shp.BuildRun, hash string, st *v1alpha1.FunctionStatus) string {
	c := run.Status.GetCondition(shp.Succeeded)
	switch {
	case c == nil || (c.Status != corev1.ConditionTrue && c.Status != corev1.ConditionFalse):
		st.MarkBuildRunning(run.Name, hash)
	case c.Status == corev1.ConditionFalse && c.Reason == shipwrightTimeout:
		st.MarkBuildRunTimedOut(run.Name, hash, c.Message)
	case c.Status == corev1.ConditionFalse:
		st.MarkBuildRunFailed(run.Name, hash, c.Reason, c.Message)
	case run.Status.Output == nil || run.Status.Output.Digest == "":
		st.MarkBuildNoDigest(run.Name, hash)
	default:
		pinned, err := render.PinDigest(f.Spec.Image, run.Status.Output.Digest)
		if err != nil {
			st.MarkBuildRunFailed(run.Name, hash, "InvalidDigest", err.Error())
			return ""
		}
		st.MarkBuildSucceeded(run.Name, hash, pinned)
		return pinned
	}
	return ""
}
