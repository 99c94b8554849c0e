// Package sandbox is kiln's container boundary: builds and functions run
// under an OCI runtime (runc, or crun) with a spec kiln generates, rootless,
// like rootless podman.
//
// Who runs where:
//
//   - kiln (the CLI) runs as the user on the host and calls Enter, which
//     re-executes kiln as the helper: the init of new user, mount and pid
//     namespaces. The user namespace maps container uid/gid 0 to the user
//     and 1..65536 to the user's subordinate ids from /etc/subuid and
//     /etc/subgid (written by newuidmap/newgidmap); as root, to a dedicated
//     range (RootDefaultStart, or root's line in /etc/subuid). Container root
//     is never host root.
//   - The helper runs a job (Register) registered by the package that owns
//     it (platform/runner, platform/lifecycle): it flattens images so file
//     owners are the mapped ids, mounts each container's overlay root
//     (nosuid, nodev), creates the container's network namespace and wires
//     it (Network), writes config.json and runs the runtime (runc from a
//     read-only bind of itself, so it need not copy itself on each start).
//     It stays in the host's network namespace, so it can reach registries
//     and forward published ports.
//   - The container gets its own pid, mount, ipc, uts, cgroup and network
//     namespaces inside the helper's user namespace, pivot_root into the
//     overlay, a private /dev, /proc and /sys with the usual paths masked
//     or read-only, no capabilities at all, no_new_privs and a seccomp
//     allow-list (seccomp.go).
//
// When kiln dies, the helper dies (parent-death signal and a lifeline
// pipe); the kernel then kills everything in the helper's pid namespace and
// drops its mounts. Main packages must call MaybeInit first.
package sandbox
