package gobuild

import (
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
)

// Detect passes with go.mod and requires the toolchain from kiln/go-dist.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, "go.mod")); err != nil {
		ctx.Logger.Debug("SKIPPED: no go.mod")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Requires: []libcnb.BuildPlanRequire{{Name: "go", Metadata: map[string]interface{}{"build": true}}},
	}}}, nil
}
