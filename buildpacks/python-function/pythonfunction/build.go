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
	"kiln.dev/kiln/buildpacks/internal/sbom"
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
	requested, err := funcenv.Requested(funcenv.Python, funcenv.HTTP, funcenv.CloudEvent, funcenv.OpenFunction)
	if err != nil {
		return result, err
	}
	signature := orDefault(requested, funcenv.HTTP)
	mode, err := FrameworkMode()
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
	var required []ForeignFramework
	if reqs != nil {
		if required, err = RequiredFrameworks(app, reqs.Files); err != nil {
			return result, err
		}
	}
	imported, err := ImportedFrameworks(app)
	if err != nil {
		return result, err
	}
	foreign := union(required, imported)
	if mode == "native" {
		if err := checkNative(required, signature); err != nil {
			return result, err
		}
	}
	pyVersion, err := b.run(app, os.Environ(), "python3", "--version")
	if err != nil {
		return result, fmt.Errorf("no python3 in the build image: %w", err)
	}
	pyVersion = strings.TrimSpace(pyVersion)
	b.Logger.Headerf("Function %s in %s, %s", target, entry, pyVersion)

	// Hash-based .pyc files do not embed source mtimes: unchanged sources, same image.
	if _, err := b.run(app, os.Environ(), "python3", "-m", "compileall", "-q", "-f", "--invalidation-mode", "unchecked-hash", "."); err != nil {
		return result, fmt.Errorf("syntax error (python3 -m compileall):\n%s", err)
	}

	var pythonPath []string
	if reqs != nil {
		packages, err := b.packages(ctx, &result, pyVersion, reqs.Files, mode == "kiln" && len(required) > 0)
		if err != nil {
			return result, err
		}
		if packages != "" {
			pythonPath = append(pythonPath, packages)
		}
	}
	// checkPath is what the build-time check imports with; pythonPath is the image's.
	var checkPath []string
	var compatEnv []string
	var version string
	if mode == "native" {
		checkPath = append([]string{filepath.Join(ctx.Buildpack.Path, "framework")}, pythonPath...)
		if version, err = nativeVersion(pythonPath, required[0]); err != nil {
			return result, err
		}
	} else {
		fw, v, err := b.framework(ctx, &result, pythonPath, len(foreign) > 0)
		if err != nil {
			return result, err
		}
		version = v
		if fw != "" {
			pythonPath = append([]string{fw}, pythonPath...)
		}
		checkPath = pythonPath
		if len(foreign) > 0 {
			compatEnv = []string{CompatEnv + "=" + Kinds(foreign)}
			b.Logger.Bodyf("Serving it on Kiln's framework with the compatibility layer for %s (functions_framework, and flask, markupsafe and cloudevents where not installed, are carried by Kiln); %s=native runs the installed framework instead",
				frameworkNames(foreign), FrameworkEnv)
		}
	}
	launch, err := ctx.Layers.Layer("function")
	if err != nil {
		return result, err
	}
	if launch, err = launch.Reset(); err != nil {
		return result, err
	}
	pycache := filepath.Join(launch.Path, "pycache")
	env := append(append(os.Environ(), "PYTHONPATH="+strings.Join(checkPath, ":"), "PYTHONDONTWRITEBYTECODE=1"), compatEnv...)
	out, err := b.run(app, env, "python3", "-m", FrameworkPackage+".check", entry, pycache)
	if err != nil {
		return result, fmt.Errorf("importing %s failed (the module raised while being imported):\n%s", entry, err)
	}
	var mod struct {
		Exports    []string          `json:"exports"`
		Registered map[string]string `json:"registered"`
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
	if reg, ok := mod.Registered[target]; ok {
		if requested != "" && requested != reg {
			b.Logger.Bodyf("%s registers %s as %s: that signature wins over %s", entry, target, reg, requested)
		}
		signature = reg
	}
	b.Logger.Bodyf("%s (%s)", target, signature)

	launch.LayerTypes = libcnb.LayerTypes{Launch: true}
	// The stdlib, framework and function modules the server loads, compiled.
	launch.LaunchEnvironment.Default("PYTHONPYCACHEPREFIX", pycache)
	launch.LaunchEnvironment.Default("PYTHONPATH", strings.Join(pythonPath, ":"))
	launch.LaunchEnvironment.Default("PYTHONUNBUFFERED", "1")
	launch.LaunchEnvironment.Default("FUNCTION_SOURCE", filepath.Join(app, entry))
	launch.LaunchEnvironment.Default("FUNCTION_TARGET", target)
	launch.LaunchEnvironment.Default("FUNCTION_SIGNATURE_TYPE", signature)
	launch.LaunchEnvironment.Default("PORT", "8080")
	command := []string{"python3", "-m", FrameworkPackage}
	switch {
	case mode == "native":
		// Both frameworks' CLIs read FUNCTION_TARGET, FUNCTION_SOURCE,
		// FUNCTION_SIGNATURE_TYPE (Google's) and PORT from the env set above.
		command = NativeCommand
		b.Logger.Bodyf("%s=native: the web process is `%s` (%s, installed from requirements.txt)", FrameworkEnv, strings.Join(command, " "), version)
	case len(foreign) > 0:
		launch.LaunchEnvironment.Default(CompatEnv, Kinds(foreign))
	}
	result.Layers = append(result.Layers, launch)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Command: command, Default: true})
	result.Labels = append(result.Labels,
		libcnb.Label{Key: "dev.kiln.function.target", Value: target},
		libcnb.Label{Key: "dev.kiln.function.signature", Value: signature},
		libcnb.Label{Key: "dev.kiln.framework.version", Value: version})
	return result, nil
}

// packages installs requirements.txt into the cached launch layer "packages"
// and returns the directory to put on PYTHONPATH. The layer is keyed by the
// requirements files (requirements.txt and what it includes) and pip.conf.
//
// With withoutFrameworks, pip gets copies of the requirements files without
// the lines that require Google's or OpenFunction's framework (Kiln serves
// those functions and carries the module): nothing is downloaded for them,
// and pip does not run at all when nothing else is required ("" then).
func (b Builder) packages(ctx libcnb.BuildContext, result *libcnb.BuildResult, pyVersion string, files []string, withoutFrameworks bool) (string, error) {
	app := ctx.ApplicationPath
	hash, err := nodeapp.HashFiles(app, append(append([]string{}, files...), "pip.conf")...)
	if err != nil {
		return "", err
	}
	reqFile := "requirements.txt"
	// report: layers installed before pip wrote its report are reinstalled once.
	key := map[string]interface{}{"requirements": hash, "python": pyVersion, "index": os.Getenv("PIP_INDEX_URL"), "extra-index": os.Getenv("PIP_EXTRA_INDEX_URL"), "report": 1}
	if withoutFrameworks {
		dir, dropped, rest, err := filteredRequirements(app, files)
		if dir != "" {
			defer os.RemoveAll(dir)
		}
		if err != nil {
			return "", err
		}
		var names []string
		for _, d := range dropped {
			b.Logger.Bodyf("Not installing %s (%s line %d): Kiln serves the function on its own framework and carries functions_framework (nothing to download); %s=native installs it instead", d.Require, d.File, d.Line, FrameworkEnv)
			names = append(names, d.Require)
		}
		if rest == 0 {
			b.Logger.Body("Nothing else in requirements.txt: no pip install")
			return "", nil
		}
		key["not-installed"] = strings.Join(names, ",")
		reqFile = filepath.Join(dir, "requirements.txt")
	}
	layer, err := ctx.Layers.Layer("packages")
	if err != nil {
		return "", err
	}
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
		// --report: the archive hashes for the SBOM, kept beside lib/.
		args := []string{pip, "-m", "pip", "install", "--no-warn-script-location", "--target", filepath.Join(l.Path, "lib"),
			"--report", filepath.Join(l.Path, sbom.PipReportFile), "-r", reqFile}
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
	// The distributions pip installed, rewritten on cache hits too.
	archives, err := sbom.PipArchiveHashes(filepath.Join(layer.Path, sbom.PipReportFile))
	if err != nil {
		return "", err
	}
	dists, err := sbom.PythonDists(filepath.Join(layer.Path, "lib"), archives)
	if err != nil {
		return "", err
	}
	if err := sbom.WriteLayer(layer, dists); err != nil {
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

// framework injects the carried framework unless requirements.txt installed
// it; with compat, also the stand-in modules of the compatibility layer
// (kiln_compat, beside it: the framework puts it on sys.path itself).
func (b Builder) framework(ctx libcnb.BuildContext, result *libcnb.BuildResult, pythonPath []string, compat bool) (string, string, error) {
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
	if compat {
		if err := funcenv.CopyDir(filepath.Join(ctx.Buildpack.Path, "framework", CompatDir), filepath.Join(layer.Path, CompatDir)); err != nil {
			return "", "", fmt.Errorf("this buildpack is missing its compatibility modules (rebuild it with `kiln buildpack package`): %w", err)
		}
	}
	v, _ := ctx.Buildpack.Metadata["framework-version"].(string)
	if err := writeFrameworkSBOM(layer, v, compat); err != nil {
		return "", "", err
	}
	result.Layers = append(result.Layers, layer)
	b.Logger.Bodyf("Injected %s %s (carried by this buildpack, no download)", FrameworkPackage, v)
	return layer.Path, v, nil
}

// writeFrameworkSBOM lists what the framework layer holds: the framework
// package and, with compat, the compatibility modules, each with the
// carried version and the h1 of its files (they are not PyPI
// distributions: generic purls).
func writeFrameworkSBOM(layer libcnb.Layer, version string, compat bool) error {
	pkgs := []string{FrameworkPackage}
	if compat {
		pkgs = append(pkgs, CompatDir)
	}
	var comps []sbom.Component
	for _, p := range pkgs {
		h1, err := sbom.TreeH1(filepath.Join(layer.Path, p))
		if err != nil {
			return err
		}
		comps = append(comps, sbom.Framework(p, version, sbom.GenericPURL(p, version), sbom.TreeHash(h1)))
	}
	return sbom.WriteLayer(layer, comps)
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
