// Package untar extracts tar streams that Kiln does not trust — image layers
// (imagefs) and npm tarballs (buildpacks/internal/npmreg) — into a directory,
// resolving every path inside that directory.
//
// Every entry's parent directory is looked up with openat2(RESOLVE_IN_ROOT
// | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV) relative to an fd on the root,
// so a symlink the archive made (absolute, or climbing with "..") resolves
// as it would inside a container with that root, never on the host; a
// directory that does not exist yet is made by a walk that opens one
// component at a time with O_NOFOLLOW and reads each symlink itself, with
// the same semantics. The entry is then created relative to its parent
// without following a final symlink. Where openat2 is refused (ENOSYS or
// EPERM: an old kernel, a seccomp profile) the walk does every lookup.
//
// Policy, deliberately:
//   - an entry name or hard link target climbing out with ".." is refused;
//     absolute names are taken relative to the root;
//   - an entry replaces whatever was at its path (file, symlink or
//     directory tree), so nothing is ever written through an existing link;
//   - hard links only to a regular file already in the root (extracted
//     before them, by this archive or a lower layer), never to a symlink,
//     directory or device; a link's own mode and owner are not applied (it
//     shares the target's inode);
//   - character and block devices and FIFOs are skipped (the sandbox binds
//     its own /dev);
//   - setuid and setgid bits are stripped from files, setuid from
//     directories; setgid (group inheritance) and sticky (/tmp) directories
//     keep theirs; extended attributes (file capabilities) are not applied;
//   - owners are applied only when Options.Owners is set (imagefs as root);
//   - OCI whiteouts (.wh.NAME, .wh..wh..opq) are applied inside the root
//     when Options.Whiteouts is set, to what lower layers left (not to
//     entries of the same archive);
//   - sizes are bounded (Limits: per file, total, entry count) and an error
//     names the archive (Options.Name) and the entry.
//
// OpenInRoot reads a file of an extracted root the same way, for host code
// that must look inside a flattened image (the lifecycle's /cnb/run.toml).
//
// untar owns only extraction and that lookup; what is extracted and where (caching,
// layers, npm prefixes) belongs to its callers.
package untar
