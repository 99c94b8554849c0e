package godist

import (
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
)

// PlanEntry is the build plan entry this buildpack provides and go-build requires.
const PlanEntry = "go"

// Detect passes when the application has a go.mod.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, "go.mod")); err != nil {
		ctx.Logger.Debug("SKIPPED: no go.mod in the application directory")
		return libcnb.DetectResult{Pass: false}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Provides: []libcnb.BuildPlanProvide{{Name: PlanEntry}},
	}}}, nil
}
