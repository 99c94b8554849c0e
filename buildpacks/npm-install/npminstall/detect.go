package npminstall

import (
	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// Detect passes when package.json declares production dependencies.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	pkg, err := nodeapp.Read(ctx.ApplicationPath)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	if pkg == nil || len(pkg.Dependencies) == 0 {
		ctx.Logger.Debug("SKIPPED: no dependencies in package.json")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Requires: []libcnb.BuildPlanRequire{{Name: "node", Metadata: map[string]interface{}{"build": true, "launch": true}}},
	}}}, nil
}
