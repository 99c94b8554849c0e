// Package deploy is kiln deploy: it packs a source directory as a
// Shipwright source bundle (source.ociArtifact: a single-layer image whose
// tar holds the source, only directories and regular files, names relative
// to the root), pushes it, server-side applies a core.kiln.dev/v1alpha1
// Function building from it, and follows the Function's status phase by
// phase (BuildRun, image digest, Knative Service, URL) until it is Ready or
// fails.
//
// The source directory is hostile input: symlinks are followed only to
// regular files inside it, special files are refused, and the packed size
// and file count are bounded; errors name the path at fault and the fix
// (.kilnignore). What goes in follows kiln build: .kilnignore and
// project.toml's include/exclude (platform/buildrequest), the build env of
// project.toml and --env, the language platform/detect sees.
//
// With a Git repository instead (kiln deploy --git URL, git.go) nothing is
// packed: the Function's spec.build.srcRepo names the repository (URL,
// revision, context dir, clone secret) and the build pod clones it with
// Shipwright's git step. The revision is pinned to the commit it names
// when this machine reaches the repository (git ls-remote), so deploying
// again after a push rebuilds; URLs are http(s):// or git:// (the step
// has no ssh), with credentials only in a Secret, never in the URL.
//
// It owns no cobra code (platform/cmd/kiln/deploy.go is flags and printing)
// and never runs a build itself: the cluster's controller does.
package deploy
