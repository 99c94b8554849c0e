package nodeengine

import (
	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// PlanEntry is what this buildpack provides.
const PlanEntry = "node"

// Detect passes for a Node app (package.json, index.js or function.js).
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if !nodeapp.HasNodeApp(ctx.ApplicationPath) {
		ctx.Logger.Debug("SKIPPED: no package.json, index.js or function.js")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Provides: []libcnb.BuildPlanProvide{{Name: PlanEntry}},
	}}}, nil
}
