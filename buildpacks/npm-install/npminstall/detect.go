package npminstall

import (
	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// Detect passes when package.json declares production dependencies npm must
// install: Google's and OpenFunction's functions frameworks do not count
// unless BP_FUNCTION_FRAMEWORK=native (Kiln serves those functions itself).
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	pkg, err := nodeapp.Read(ctx.ApplicationPath)
	if err != nil {
		return libcnb.DetectResult{}, err
	}
	if pkg == nil || len(pkg.Dependencies)+len(pkg.OptionalDependencies) == 0 {
		ctx.Logger.Debug("SKIPPED: no dependencies in package.json")
		return libcnb.DetectResult{}, nil
	}
	mode, err := nodeapp.FrameworkMode()
	if err != nil {
		mode = nodeapp.ModeKiln // kiln/node-function reports the bad value
	}
	if mode == nodeapp.ModeKiln && len(installable(pkg)) == 0 {
		ctx.Logger.Debug("SKIPPED: package.json depends only on functions frameworks Kiln serves itself")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{
		Requires: []libcnb.BuildPlanRequire{{Name: "node", Metadata: map[string]interface{}{"build": true, "launch": true}}},
	}}}, nil
}

// installable lists the dependencies npm installs in Kiln mode.
func installable(pkg *nodeapp.PackageJSON) []string {
	skip := map[string]bool{}
	for _, f := range nodeapp.ForeignFrameworks {
		skip[f.Package] = true
	}
	var out []string
	for _, deps := range []map[string]string{pkg.Dependencies, pkg.OptionalDependencies} {
		for name := range deps {
			if !skip[name] {
				out = append(out, name)
			}
		}
	}
	return out
}
