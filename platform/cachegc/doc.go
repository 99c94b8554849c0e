// Package cachegc is `kiln cache gc`: it removes what kiln's store keeps
// that nothing uses any more, so the disk does not fill with one flattened
// rootfs per image ever run or built from and one cache per app ever built.
//
// What it removes, never what a running build or function uses (each holds
// its rootfs and its app cache locked; see imagefs.Use and AppLock):
//   - flattened rootfs (<store>/rootfs) unused for Options.UnusedFor, and
//     sooner (Options.UntaggedGrace, ten minutes by default) those of images no tag of the embedded registry
//     reaches any more: an image rebuilt since, or one pulled from another
//     registry (kiln run pulls it again when asked);
//   - per-app build caches (<store>/apps) unused for Options.UnusedFor (the
//     next build of that app is then a cold one), and sooner
//     (Options.OrphanGrace, ten minutes by default) those whose source
//     directory is gone: the key is the source's absolute path, and LockApp
//     records it, so a deleted checkout or temporary directory leaves a
//     cache nothing can use again.
//
// The store's files belong to the sandbox's ids, so the removal runs as a
// job in the sandbox helper, like the sweeps of dead builds' state.
// The registry's blobs have their own collector: kiln registry gc.
package cachegc
