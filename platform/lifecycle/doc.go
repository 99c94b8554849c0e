// Package lifecycle is `kiln build`: it runs the real CNB lifecycle
// (/cnb/lifecycle/creator) inside the flattened builder image, in a sandbox
// (platform/sandbox; the job registered here runs in its helper), as the
// builder's CNB user with no capabilities, with the source copied to
// /workspace, a fresh /layers, the platform env in /platform/env, a
// persistent per-app /cache and the machine-wide dependency cache, which
// the build sees read-only under its app's own writable layer and only kiln
// fills, with Go toolchains it verified and std compiled with them
// (shareddeps.go). The
// build has egress but no access to the host's loopback (so not to the
// embedded registry): it exports to a per-app OCI layout (which also holds
// the previous image, for layer reuse), and kiln then pushes the image from
// there (or copies it into --layout), checking every blob against its
// digest. It turns the creator's output into phases with durations, lists
// the buildpacks that ran and the cache hits, and explains lifecycle exit
// codes.
package lifecycle
