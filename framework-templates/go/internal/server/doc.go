// Package server holds what every HTTP server of the framework shares: the
// limits that bound one client (body size from KILN_MAX_BODY_BYTES, header
// size, read-header and idle timeouts), the 413 answer for an oversized body,
// and the serve-until-cancelled loop with a bounded graceful drain. Package
// funcframework (functions over HTTP) and package dapr (Dapr's app callback
// protocol over HTTP and gRPC) both use it. It reads only KILN_MAX_BODY_BYTES.
package server
