// Package depcache is the contract between the kiln platform and Kiln's
// buildpacks for a machine-wide dependency cache: when the platform sets
// KILN_DEPENDENCY_CACHE to a writable directory, buildpacks keep toolchains
// and language caches there, shared by every app built on the machine, instead
// of in per-app cache layers. Without it (pack, Shipwright) they use cache
// layers. Entries are written to a temp dir and renamed into place, so
// concurrent builds never see half an entry.
package depcache
