// Package imagefs flattens OCI images into root file systems on disk, cached
// by manifest digest under one directory, so a builder or app image is
// unpacked once and reused read-only (callers overlay a writable layer).
package imagefs
