package nodefunction

import (
	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/funcenv"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// Detect passes for a Node app when FUNC_NAME is set.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if !nodeapp.HasNodeApp(ctx.ApplicationPath) {
		ctx.Logger.Debug("SKIPPED: no package.json, index.js or function.js")
		return libcnb.DetectResult{}, nil
	}
	if funcenv.Target() == "" {
		ctx.Logger.Debug("SKIPPED: FUNC_NAME is not set")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Requires: []libcnb.BuildPlanRequire{{Name: "node", Metadata: map[string]interface{}{"build": true, "launch": true}}},
	}}}, nil
}
