//go:build tools

// Package tools pins distribution's registry (the CNCF Distribution project's
// `registry` command) as a test tool: the publish suite serves it on loopback
// with TLS and htpasswd auth; see platform/tools/build.sh registry.
package tools

import _ "github.com/distribution/distribution/v3/cmd/registry"
