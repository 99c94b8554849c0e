// Package depcache is the contract between the kiln platform and Kiln's
// buildpacks for a dependency cache: when the platform sets
// KILN_DEPENDENCY_CACHE to a writable directory, buildpacks keep toolchains
// and language caches there instead of in per-app cache layers. Without it
// (pack, Shipwright) they use cache layers. Under kiln the directory is an
// overlay: the machine-wide cache, read-only, under the app's own writable
// layer; only kiln adds to the machine-wide part, with what it verified
// (platform/lifecycle). Entries are written to a temp dir and renamed into
// place, so concurrent builds never see half an entry, and a complete entry
// is never removed.
package depcache
