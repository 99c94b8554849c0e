package gobuild

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"kiln.dev/kiln/buildpacks/internal/gomod"
)

// checkTarget accepts BP_GO_TARGETS when it names one package of the module:
// a relative directory inside it (./cmd/server) or an import path under the
// module path; it returns what to pass to go build.
func checkTarget(app, target string) (string, error) {
	const env = "BP_GO_TARGETS"
	if strings.ContainsAny(target, ": \t") {
		return "", fmt.Errorf("%s=%q: Kiln builds one program per image; name one package, e.g. %s=./cmd/server", env, target, env)
	}
	if strings.HasPrefix(target, ".") {
		rel := path.Clean(target)
		if rel == ".." || strings.HasPrefix(rel, "../") {
			return "", fmt.Errorf("%s=%q is outside the module: name a package directory inside it, e.g. %s=./cmd/server", env, target, env)
		}
		if st, err := os.Stat(filepath.Join(app, filepath.FromSlash(rel))); err != nil || !st.IsDir() {
			return "", fmt.Errorf("%s=%q: no such directory in the module: name a package directory inside it, e.g. %s=./cmd/server", env, target, env)
		}
		if rel == "." {
			return ".", nil
		}
		return "./" + rel, nil
	}
	if path.IsAbs(target) || filepath.IsAbs(target) {
		return "", fmt.Errorf("%s=%q is an absolute path: name a package directory relative to the module root, e.g. %s=./cmd/server", env, target, env)
	}
	mod, err := gomod.Read(app)
	if err != nil {
		return "", err
	}
	modPath := mod.Module.Mod.Path
	if target != modPath && !strings.HasPrefix(target, modPath+"/") {
		return "", fmt.Errorf("%s=%q is not a package of module %s: name a package directory inside it, e.g. %s=./cmd/server", env, target, modPath, env)
	}
	return target, nil
}
