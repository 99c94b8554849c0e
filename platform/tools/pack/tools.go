//go:build tools

// Package tools pins pack as a build tool; see platform/tools/build.sh.
package tools

import _ "github.com/buildpacks/pack"
