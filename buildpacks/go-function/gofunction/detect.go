package gofunction

import (
	"os"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"
)

// Detect passes with go.mod and FUNC_NAME (or GOOGLE_FUNCTION_TARGET).
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, "go.mod")); err != nil {
		ctx.Logger.Debug("SKIPPED: no go.mod")
		return libcnb.DetectResult{}, nil
	}
	if Target() == "" {
		ctx.Logger.Debug("SKIPPED: FUNC_NAME is not set (set it to the function to serve)")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{}}}, nil
}
