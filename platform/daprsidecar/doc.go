// Package daprsidecar runs daprd beside a function for `kiln run --dapr`:
// it finds the daprd binary, checks that every component FUNC_CONTEXT names
// is in the components folder, picks free ports, starts daprd self-hosted and
// gives the function the env vars that point at it.
package daprsidecar
