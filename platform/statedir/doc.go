// Package statedir owns the per-build and per-run scratch directories under
// a kiln store (runs/build-*, runs/run-*) and the half-written flattened
// images (rootfs/flatten-*): each is created locked by the kiln process that
// uses it, and Sweep removes those whose owner is gone (Ctrl-C, SIGKILL, a
// crash), so leftovers do not pile up. The lock is an flock(2) the kernel
// drops when the owner dies, so a reused pid cannot keep a leftover alive.
//
// It must not remove anything it did not create: only entries with the
// given prefixes, and only when their lock is free.
package statedir
