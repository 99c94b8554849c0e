// Package imagefs flattens OCI images into root file systems on disk, cached
// by manifest digest under one directory, so a builder or app image is
// unpacked once and reused read-only (callers overlay a writable layer).
// Layers are applied bottom up by platform/untar, which resolves every path
// inside the rootfs: an image is hostile input. imagefs does not touch a
// rootfs once it is complete.
package imagefs
