// Package lifecycle is `kiln build`: it runs the real CNB lifecycle
// (/cnb/lifecycle/creator) inside the flattened builder image, in a sandbox,
// with the source copied to /workspace, a fresh /layers, the platform env in
// /platform/env and a persistent per-app /cache, exporting to a registry.
// It turns the creator's output into phases with durations, lists the
// buildpacks that ran and the cache hits, and explains lifecycle exit codes.
package lifecycle
