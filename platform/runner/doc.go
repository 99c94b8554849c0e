// Package runner is `kiln run`: it resolves an app image (flattened once,
// cached by digest), binds the published port on the host, and enters a
// sandbox helper (platform/sandbox) whose job, registered here, serves the
// image's entrypoint (the CNB launcher, /cnb/process/web) as the image's
// user in its own container and network namespace, forwarding the
// published port into it and the host ports it may reach (daprd) out of
// it, until the context is cancelled (Ctrl-C / SIGTERM). It must not touch
// the registry's storage except to read it (registry.Resolve).
package runner
