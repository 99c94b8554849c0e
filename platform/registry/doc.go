// Package registry is kiln's embedded OCI registry: go-containerregistry's
// registry handler with blobs on disk, plus a manifest journal so that tags
// survive restarts. It listens on loopback at an address kept in
// <dir>/address (a random free port the first time, or KILN_REGISTRY_ADDR),
// so image references and digests stay stable across kiln invocations. A
// second kiln process finds the running one and uses it instead of serving.
package registry
