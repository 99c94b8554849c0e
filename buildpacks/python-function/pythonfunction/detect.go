package pythonfunction

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/funcenv"
)

// Detect passes with FUNC_NAME and main.py, requirements.txt or a .py FUNC_SRC.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if funcenv.Target() == "" {
		ctx.Logger.Debug("SKIPPED: FUNC_NAME is not set")
		return libcnb.DetectResult{}, nil
	}
	for _, f := range []string{"main.py", "requirements.txt"} {
		if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, f)); err == nil {
			return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{}}}, nil
		}
	}
	if strings.HasSuffix(os.Getenv("FUNC_SRC"), ".py") {
		return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{}}}, nil
	}
	ctx.Logger.Debug("SKIPPED: no main.py or requirements.txt")
	return libcnb.DetectResult{}, nil
}
