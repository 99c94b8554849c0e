//go:build tools

// Package tools pins the CNB lifecycle as a build tool; see platform/tools/build.sh.
package tools

import (
	_ "github.com/buildpacks/lifecycle/cmd/launcher"
	_ "github.com/buildpacks/lifecycle/cmd/lifecycle"
)
