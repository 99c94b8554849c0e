package pythonfunction

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/depcache"
	"kiln.dev/kiln/buildpacks/internal/funcenv"
	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// FrameworkPackage is the import name of Kiln's Python framework.
const FrameworkPackage = "kiln_functions_framework"

// Builder wraps a Python function.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}}.Build(ctx)
}

func (b Builder) run(dir string, env []string, args ...string) (string, error) {
	return command.Output(b.Executor, dir, env, args...)
}

// Build checks, compiles and wires the function.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app := ctx.ApplicationPath
	target, err := funcenv.CheckTarget(funcenv.Python)
	if err != nil {
		return result, err
	}
	signature, err := funcenv.Signature(funcenv.Python, funcenv.HTTP, funcenv.CloudEvent, funcenv.OpenFunction)
	if err != nil {
		return result, err
	}
	entry := strings.TrimSpace(os.Getenv("FUNC_SRC"))
	if entry == "" {
		entry = "main.py"
	}
	if _, err := os.Stat(filepath.Join(app, entry)); err != nil {
		return result, fmt.Errorf("no function source file %s: put the function in main.py, or set FUNC_SRC to its file", entry)
	}
	// The manifests are checked before pip runs, so a mistake names its line.
	var reqs *Requirements
	if _, err := os.Stat(filepath.Join(app, "requirements.txt")); err == nil {
		if reqs, err = ReadRequirements(app); err != nil {
			return result, err
		}
	}
	if conf, err := os.ReadFile(filepath.Join(app, "pip.conf")); err == nil {
		if err := CheckPipConf(string(conf)); err != nil {
			return result, err
		}
	}
	pyVersion, err := b.run(app, os.Environ(), "python3", "--version")
	if err != nil {
		return result, fmt.Errorf("no python3 in the build image: %w", err)
	}
	pyVersion = strings.TrimSpace(pyVersion)
	b.Logger.Headerf("Function %s (%s) in %s, %s", target, signature, entry, pyVersion)

	// Hash-based .pyc files do not embed source mtimes: unchanged sources, same image.
	if _, err := b.run(app, os.Environ(), "python3", "-m", "compileall", "-q", "-f", "--invalidation-mode", "unchecked-hash", "."); err != nil {
		return result, fmt.Errorf("syntax error (python3 -m compileall):\n%s", err)
	}

	var pythonPath []string
	if reqs != nil {
		packages, err := b.packages(ctx, &result, pyVersion, reqs.Files)
		if err != nil {
			return result, err
		}
		pythonPath = append(pythonPath, packages)
	}
	fw, version, err := b.framework(ctx, &result, pythonPath)
	if err != nil {
		return result, err
	}
	if fw != "" {
		pythonPath = append([]string{fw}, pythonPath...)
	}
	launch, err := ctx.Layers.Layer("function")
	if err != nil {
		return result, err
	}
	if launch, err = launch.Reset(); err != nil {
		return result, err
	}
	pycache := filepath.Join(launch.Path, "pycache")
	env := append(os.Environ(), "PYTHONPATH="+strings.Join(pythonPath, ":"), "PYTHONDONTWRITEBYTECODE=1")
	out, err := b.run(app, env, "python3", "-m", FrameworkPackage+".check", entry, pycache)
	if err != nil {
		return result, fmt.Errorf("importing %s failed (the module raised while being imported):\n%s", entry, err)
	}
	var mod struct {
		Exports []string `json:"exports"`
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &mod); err != nil {
		return result, fmt.Errorf("checking the functions of %s: %w (%q)", entry, err, out)
	}
	if !contains(mod.Exports, target) {
		list := "it defines no functions"
		if len(mod.Exports) > 0 {
			list = "functions it defines: " + strings.Join(mod.Exports, ", ")
		}
		return result, fmt.Errorf("FUNC_NAME=%s: %s has no function %q; %s", target, entry, target, list)
	}

	launch.LayerTypes = libcnb.LayerTypes{Launch: true}
	// The stdlib, framework and function modules the server loads, compiled.
	launch.LaunchEnvironment.Default("PYTHONPYCACHEPREFIX", pycache)
	launch.LaunchEnvironment.Default("PYTHONPATH", strings.Join(pythonPath, ":"))
	launch.LaunchEnvironment.Default("PYTHONUNBUFFERED", "1")
	launch.LaunchEnvironment.Default("FUNCTION_SOURCE", filepath.Join(app, entry))
	launch.LaunchEnvironment.Default("FUNCTION_TARGET", target)
	launch.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", signature)
	launch.LaunchEnvironment.Default("PORT", "8080")
	result.Layers = append(result.Layers, launch)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Command: []string{"python3", "-m", FrameworkPackage}, Default: true})
	result.Labels = append(result.Labels,
		libcnb.Label{Key: "dev.kiln.function.target", Value: target},
		libcnb.Label{Key: "dev.kiln.function.signature", Value: signature},
		libcnb.Label{Key: "dev.kiln.framework.version", Value: version})
	return result, nil
}

// packages installs requirements.txt into the cached launch layer "packages"
// and returns the directory to put on PYTHONPATH. The layer is keyed by the
// requirements files (requirements.txt and what it includes) and pip.conf.
func (b Builder) packages(ctx libcnb.BuildContext, result *libcnb.BuildResult, pyVersion string, files []string) (string, error) {
	app := ctx.ApplicationPath
	hash, err := nodeapp.HashFiles(app, append(append([]string{}, files...), "pip.conf")...)
	if err != nil {
		return "", err
	}
	layer, err := ctx.Layers.Layer("packages")
	if err != nil {
		return "", err
	}
	key := map[string]interface{}{"requirements": hash, "python": pyVersion, "index": os.Getenv("PIP_INDEX_URL"), "extra-index": os.Getenv("PIP_EXTRA_INDEX_URL")}
	lc := libpak.NewLayerContributor("requirements.txt", key, libcnb.LayerTypes{Build: true, Launch: true, Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error {
		pip, err := b.pip(ctx, result)
		if err != nil {
			return err
		}
		env := append(os.Environ(), "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "PIP_CACHE_DIR="+b.pipCache(ctx))
		if _, err := os.Stat(filepath.Join(app, "pip.conf")); err == nil {
			env = append(env, "PIP_CONFIG_FILE="+filepath.Join(app, "pip.conf"))
		}
		args := []string{pip, "-m", "pip", "install", "--no-warn-script-location", "--target", filepath.Join(l.Path, "lib"), "-r", "requirements.txt"}
		b.Logger.Bodyf("pip install --target <layer> -r requirements.txt (index: %s)", orDefault(os.Getenv("PIP_INDEX_URL"), "pip.conf or PyPI"))
		start := time.Now()
		out, err := b.run(app, env, args...)
		b.Logger.BodyWriter().Write([]byte(out))
		if err != nil {
			return fmt.Errorf("installing requirements.txt failed:\n%s\ncheck requirements.txt and the package index (PIP_INDEX_URL, PIP_TRUSTED_HOST for an http:// index, or pip.conf in the app)", err)
		}
		b.Logger.Bodyf("Installed in %s", time.Since(start).Round(10*time.Millisecond))
		return nil
	})
	if err != nil {
		return "", err
	}
	result.Layers = append(result.Layers, layer)
	return filepath.Join(layer.Path, "lib"), nil
}

// pip returns a python with pip: a build-only cached venv made by ensurepip
// from the stack's wheels (no index needed for pip itself).
func (b Builder) pip(ctx libcnb.BuildContext, result *libcnb.BuildResult) (string, error) {
	layer, err := ctx.Layers.Layer("pip")
	if err != nil {
		return "", err
	}
	lc := libpak.NewLayerContributor("pip", map[string]interface{}{"schema": 1}, libcnb.LayerTypes{Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error {
		_, err := b.run(ctx.ApplicationPath, os.Environ(), "python3", "-m", "venv", l.Path)
		if err != nil {
			return fmt.Errorf("creating pip's venv: %w", err)
		}
		return nil
	})
	result.Layers = append(result.Layers, layer)
	return filepath.Join(layer.Path, "bin", "python3"), err
}

func (b Builder) pipCache(ctx libcnb.BuildContext) string {
	if depcache.Dir() != "" {
		return depcache.Path("pip-cache")
	}
	return filepath.Join(os.TempDir(), "kiln-pip-cache")
}

// framework injects the carried framework unless requirements.txt installed it.
func (b Builder) framework(ctx libcnb.BuildContext, result *libcnb.BuildResult, pythonPath []string) (string, string, error) {
	for _, p := range pythonPath {
		if _, err := os.Stat(filepath.Join(p, FrameworkPackage, "__init__.py")); err == nil {
			b.Logger.Bodyf("Using the %s the requirements install", FrameworkPackage)
			return "", "requirements.txt", nil
		}
	}
	layer, err := ctx.Layers.Layer("framework")
	if err != nil {
		return "", "", err
	}
	if layer, err = layer.Reset(); err != nil {
		return "", "", err
	}
	layer.LayerTypes = libcnb.LayerTypes{Launch: true}
	src := filepath.Join(ctx.Buildpack.Path, "framework", FrameworkPackage)
	if err := funcenv.CopyDir(src, filepath.Join(layer.Path, FrameworkPackage)); err != nil {
		return "", "", fmt.Errorf("this buildpack is missing its framework copy (rebuild it with `kiln buildpack package`): %w", err)
	}
	result.Layers = append(result.Layers, layer)
	v, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	b.Logger.Bodyf("Injected %s %s (carried by this buildpack, no download)", FrameworkPackage, v)
	return layer.Path, v, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}
