// Package sandbox runs one program in a flattened image without a container
// engine: kiln re-executes itself as the init (pid 1) of fresh mount and pid
// namespaces, mounts an overlay (the cached rootfs read-only below a
// per-sandbox writable layer), /proc, /dev and the requested binds, then
// starts the program chrooted, as the given user, forwarding SIGTERM/SIGINT
// and reaping every child. When the program exits, init exits, and the kernel
// kills whatever is left in the pid namespace and drops its mounts: no orphan
// processes and no leftover mounts, whatever the program did. The network is
// the host's (like `docker run --network host`).
//
// Needs root (CAP_SYS_ADMIN). Main packages must call MaybeInit first.
package sandbox
