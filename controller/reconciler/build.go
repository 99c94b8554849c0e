package reconciler

import (
	"context"
	"errors"
	"strings"
	"time"

	shp "github.com/shipwright-io/build/pkg/apis/build/v1beta1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// shipwrightTimeout is the reason Shipwright gives a BuildRun that ran out
// of time.
const shipwrightTimeout = "BuildRunTimeout"

// tektonImagePullFailed is the reason Tekton gives a TaskRun whose pod
// could not pull a step's image; Shipwright passes it on to the BuildRun.
const tektonImagePullFailed = "TaskRunImagePullFailed"

// shipwrightBuildNotFound is the reason Shipwright fails a BuildRun with
// when it cannot find its Build; it does not look again.
const shipwrightBuildNotFound = "BuildNotFound"

// reconcileBuild applies the Build and its cache PVC, starts a BuildRun for
// the current build hash, and returns the pinned image once it succeeded
// ("" while it runs or when it failed), and when to look again at what no
// watch reports (a missing build strategy).
func (r *FunctionReconciler) reconcileBuild(ctx context.Context, f *v1alpha1.Function, cfg render.Config, st *v1alpha1.FunctionStatus) (string, time.Duration, error) {
	build, pvc, err := render.Build(f, cfg)
	if unknown := (*render.UnknownLanguageError)(nil); errors.As(err, &unknown) {
		st.MarkUnknownLanguage(unknown.Error())
		return "", 0, nil
	}
	if err != nil {
		st.MarkBuildFailed(v1alpha1.ReasonInvalidBuild, err.Error())
		return "", 0, nil
	}
	strategy, declared, found, err := r.strategyParams(ctx, f, st)
	switch {
	case err != nil:
		return "", 0, err
	case !found: // marked on st: look again, strategies are not watched
		return "", strategyRetry, nil
	}
	if err := render.FitStrategy(f, build, strategy, declared); err != nil {
		st.MarkUndeclaredParameter(err.Error())
		return "", 0, nil
	}
	image, err := r.startBuild(ctx, f, build, pvc, st)
	return image, 0, err
}

// startBuild applies the Build, its cache PVC and ServiceAccount, creates
// the BuildRun of the current build hash and reads its outcome.
func (r *FunctionReconciler) startBuild(ctx context.Context, f *v1alpha1.Function, build *shp.Build, pvc *corev1.PersistentVolumeClaim, st *v1alpha1.FunctionStatus) (string, error) {
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
	if c := run.Status.GetCondition(shp.Succeeded); c != nil && c.Status == corev1.ConditionFalse && c.Reason == shipwrightBuildNotFound {
		// Shipwright read the Build from an informer that had not seen it
		// yet (it was applied just before the BuildRun; seen on the node
		// right after Shipwright's controller started) and failed the run
		// for good. The Build is there (applied above): run it again; the
		// deletion brings the Function back to create it.
		if err := r.Delete(ctx, run, client.PropagationPolicy(metav1.DeletePropagationBackground)); err != nil && !apierrors.IsNotFound(err) {
			return "", childFailure(st.MarkBuildFailed, run, err)
		}
		st.MarkBuildRunning(run.Name, hash)
		return "", nil
	}
	return buildOutcome(f, run, hash, builderOf(build), st), nil
}

// builderOf is the builder image build passes its strategy ("" for none).
func builderOf(build *shp.Build) string {
	for _, p := range build.Spec.ParamValues {
		if p.Name == render.ParamBuilderImage && p.SingleValue != nil && p.SingleValue.Value != nil {
			return *p.SingleValue.Value
		}
	}
	return ""
}

// buildOutcome records what run's Succeeded condition says and returns the
// image it built, pinned by digest ("" unless it succeeded). builder is
// the builder image the run uses, for a failure to pull it.
func buildOutcome(f *v1alpha1.Function, run *shp.BuildRun, hash, builder string, st *v1alpha1.FunctionStatus) string {
	c := run.Status.GetCondition(shp.Succeeded)
	switch {
	case c == nil || (c.Status != corev1.ConditionTrue && c.Status != corev1.ConditionFalse):
		st.MarkBuildRunning(run.Name, hash)
	case c.Status == corev1.ConditionFalse && c.Reason == shipwrightTimeout:
		st.MarkBuildRunTimedOut(run.Name, hash, c.Message)
	case c.Status == corev1.ConditionFalse && c.Reason == tektonImagePullFailed:
		st.MarkBuilderImagePullFailed(run.Name, hash, builder, c.Message)
	case c.Status == corev1.ConditionFalse && sourceStepFailed(run.Status.FailureDetails):
		fd := run.Status.FailureDetails
		msg := plainText(fd.Message)
		if msg == "" {
			msg = c.Message
		}
		st.MarkSourceFetchFailed(run.Name, hash, sourceOf(f), fd.Reason, msg)
	case c.Status == corev1.ConditionFalse && run.Status.FailureDetails != nil && run.Status.FailureDetails.Message != "":
		st.MarkBuildRunStepFailed(run.Name, hash, c.Reason, c.Message, plainText(run.Status.FailureDetails.Message))
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

// sourceStepFailed: the BuildRun failed in Shipwright's source step
// (step-source-NAME), or with one of its git step's error reasons
// (GitRemoteRepositoryNotFound, GitRevisionNotFound, GitAuth…,
// AuthUnexpectedHTTP).
func sourceStepFailed(fd *shp.FailureDetails) bool {
	if fd == nil {
		return false
	}
	if fd.Location != nil && strings.HasPrefix(fd.Location.Container, "step-source-") {
		return true
	}
	return strings.HasPrefix(fd.Reason, "Git") || fd.Reason == "AuthUnexpectedHTTP"
}

// sourceOf names f's source for a message: the repository URL and the
// revision asked for, or the bundle image.
func sourceOf(f *v1alpha1.Function) string {
	r := f.Spec.Build.SrcRepo
	switch {
	case r == nil:
		return "(none)"
	case r.URL == "" && r.BundleContainer != nil:
		return r.BundleContainer.Image
	case r.Revision != nil && *r.Revision != "":
		return r.URL + " at " + *r.Revision
	}
	return r.URL
}

// plainText is a build's error lines as a condition message can carry
// them: the terminal colours the buildpacks' logs have (ANSI escape
// sequences, which a real BuildRun's failureDetails keeps from the log)
// and other control characters dropped, newlines kept.
func plainText(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == 0x1b: // ESC: skip a CSI sequence (ESC [ params final) or the one byte after
			if i+1 < len(s) && s[i+1] == '[' {
				i += 2
				for i < len(s) && (s[i] < 0x40 || s[i] > 0x7e) {
					i++
				}
			} else {
				i++
			}
		case c == '\n' || c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
		}
	}
	return b.String()
}
