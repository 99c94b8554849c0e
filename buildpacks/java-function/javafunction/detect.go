package javafunction

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/funcenv"
)

// Sources lists the .java files of app outside src/test, target/ (Maven's
// output) and hidden directories, as relative paths.
func Sources(app string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(app, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(app, p)
		if d.IsDir() && (rel == filepath.Join("src", "test") || rel == "target" || strings.HasPrefix(d.Name(), ".") && rel != ".") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".java") {
			out = append(out, rel)
		}
		return nil
	})
	return out, err
}

// Detect passes with FUNC_NAME and Java sources or a pom.xml.
func Detect(ctx libcnb.DetectContext) (libcnb.DetectResult, error) {
	if funcenv.Target() == "" {
		ctx.Logger.Debug("SKIPPED: FUNC_NAME is not set")
		return libcnb.DetectResult{}, nil
	}
	if _, err := os.Stat(filepath.Join(ctx.ApplicationPath, "pom.xml")); err == nil {
		return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{}}}, nil
	}
	srcs, err := Sources(ctx.ApplicationPath)
	if err != nil || len(srcs) == 0 {
		ctx.Logger.Debug("SKIPPED: no .java files and no pom.xml")
		return libcnb.DetectResult{}, nil
	}
	return libcnb.DetectResult{Pass: true, Plans: []libcnb.BuildPlan{{}}}, nil
}
