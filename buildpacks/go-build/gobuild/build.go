package gobuild

import (
	"bytes"
	"fmt"
	"go/version"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
	"kiln.dev/kiln/buildpacks/internal/command"
	"kiln.dev/kiln/buildpacks/internal/depcache"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// Builder compiles the application.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}}.Build(ctx)
}

// Build compiles the main package into the app layer.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	goVersion, err := b.goVersion(ctx)
	if err != nil {
		return result, err
	}
	gocacheDir, modcacheDir := depcache.Path("gocache", goVersion), depcache.Path("gomodcache")
	if depcache.Dir() != "" {
		// GOCACHE and the module cache are safe to share between concurrent builds.
		b.Logger.Headerf("GOCACHE and GOMODCACHE: shared dependency cache %s", depcache.Dir())
	} else {
		gocache, err := b.cacheLayer(ctx, "gocache", "GOCACHE", map[string]interface{}{"go": goVersion})
		if err != nil {
			return result, err
		}
		modcache, err := b.cacheLayer(ctx, "gomodcache", "GOMODCACHE", map[string]interface{}{"schema": 1})
		if err != nil {
			return result, err
		}
		result.Layers = append(result.Layers, gocache, modcache)
		gocacheDir, modcacheDir = gocache.Path, modcache.Path
	}

	env := b.env(ctx.ApplicationPath, goVersion, gocacheDir, modcacheDir)
	pkg, err := b.mainPackage(ctx, env)
	if err != nil {
		return result, err
	}
	app, err := ctx.Layers.Layer("app")
	if err != nil {
		return result, err
	}
	if app, err = app.Reset(); err != nil {
		return result, err
	}
	app.LayerTypes = libcnb.LayerTypes{Launch: true}
	bin := filepath.Join(app.Path, "bin", "app")
	args := []string{"go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin}
	if extra := os.Getenv("BP_GO_BUILD_FLAGS"); extra != "" {
		args = append(args, strings.Fields(extra)...)
	}
	args = append(args, pkg)
	b.Logger.Headerf("Compiling %s", pkg)
	b.Logger.Bodyf("%s", strings.Join(args, " "))
	start := time.Now()
	if err := b.Executor.Run(command.Command{Args: args, Dir: ctx.ApplicationPath, Env: env,
		Stdout: b.Logger.BodyWriter(), Stderr: b.Logger.BodyWriter()}); err != nil {
		return result, fmt.Errorf("compiling %s: %w", pkg, err)
	}
	b.Logger.Bodyf("Compiled in %s", time.Since(start).Round(10*time.Millisecond))
	// GOROOT is kiln/go-dist's toolchain: its record adds the checksums.
	comps, err := sbom.GoBinary(bin, os.Getenv("GOROOT"))
	if err != nil {
		return result, err
	}
	if err := sbom.WriteLayer(app, comps); err != nil {
		return result, err
	}
	clear, err := clearSourceSet()
	if err != nil {
		return result, err
	}
	if clear {
		n, err := clearSource(ctx.ApplicationPath)
		if err != nil {
			return result, fmt.Errorf("%s: %w", ClearSourceEnv, err)
		}
		b.Logger.Bodyf("%s: removed %d entries from the workspace (the image carries only the binary)", ClearSourceEnv, n)
	}
	result.Layers = append(result.Layers, app)
	result.Processes = append(result.Processes, libcnb.Process{Type: "web", Command: []string{bin}, Default: true})
	return result, nil
}

// buildFlags are the GOFLAGS Kiln adds, each with the first Go release that
// knows it: an older go fails on any flag in GOFLAGS it does not know
// ("go: parsing $GOFLAGS: unknown flag -buildvcs").
var buildFlags = []struct{ flag, since string }{
	{"-buildvcs=false", "go1.18"},
}

// Flags returns the GOFLAGS for the Go release goVersion (`go env GOVERSION`,
// e.g. "go1.17.13"); a development build ("devel …") gets them all.
func Flags(goVersion string) []string {
	v := strings.TrimSpace(goVersion)
	devel := strings.HasPrefix(v, "devel")
	if i := strings.IndexAny(v, " -+"); i > 0 {
		v = v[:i] // "go1.26.8 X:nocoverageredesign", "go1.27-20260101-RC00 …"
	}
	var out []string
	for _, f := range buildFlags {
		if devel || !version.IsValid(v) || version.Compare(v, f.since) >= 0 {
			out = append(out, f.flag)
		}
	}
	return out
}

// cacheLayer contributes a cache-only layer keyed by key and returns it.
func (b Builder) cacheLayer(ctx libcnb.BuildContext, name, envName string, key map[string]interface{}) (libcnb.Layer, error) {
	layer, err := ctx.Layers.Layer(name)
	if err != nil {
		return layer, err
	}
	lc := libpak.NewLayerContributor(envName, key, libcnb.LayerTypes{Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(*libcnb.Layer) error { return nil })
	return layer, err
}

// ClearSourceEnv, set to true, empties the workspace after compiling: the
// image then carries the binary, not the source tree (opt-in, because a
// program may read files next to it at run time).
const ClearSourceEnv = "BP_CLEAR_SOURCE"

// clearSourceSet reads BP_CLEAR_SOURCE: true/1 or false/0/unset.
func clearSourceSet() (bool, error) {
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(ClearSourceEnv))); v {
	case "true", "1":
		return true, nil
	case "", "false", "0":
		return false, nil
	default:
		return false, fmt.Errorf("%s=%q: want true or false", ClearSourceEnv, os.Getenv(ClearSourceEnv))
	}
}

// clearSource removes everything in dir (the workspace itself stays).
func clearSource(dir string) (int, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	for _, e := range entries {
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return 0, err
		}
	}
	return len(entries), nil
}

// env is the go command's environment: static, reproducible, no VCS stamping
// (on a Go that knows -buildvcs), -mod=mod unless the module vendors or is
// part of a workspace (go.work: go accepts only readonly or vendor there),
// and -modfile when kiln/go-function wrote a go.mod copy (KILN_GO_MODFILE).
func (b Builder) env(appDir, goVersion, gocache, modcache string) []string {
	flags := strings.Fields(os.Getenv("GOFLAGS"))
	flags = append(flags, Flags(goVersion)...)
	if mf := strings.TrimSpace(os.Getenv(gofunction.ModfileEnv)); mf != "" {
		// kiln/go-function's copy of go.mod that puts a compatibility
		// module in place of OpenFunction's or Google's framework.
		flags = append(flags, "-modfile="+filepath.Join(appDir, mf))
	}
	_, vendorErr := os.Stat(filepath.Join(appDir, "vendor", "modules.txt"))
	_, workErr := os.Stat(filepath.Join(appDir, "go.work"))
	if vendorErr != nil && (workErr != nil || os.Getenv("GOWORK") == "off") {
		flags = append(flags, "-mod=mod")
	}
	env := os.Environ()
	return append(env, "CGO_ENABLED=0", "GOCACHE="+gocache, "GOMODCACHE="+modcache,
		"GOFLAGS="+strings.Join(flags, " "), "GOTOOLCHAIN=local")
}

func (b Builder) goVersion(ctx libcnb.BuildContext) (string, error) {
	var out bytes.Buffer
	if err := b.Executor.Run(command.Command{Args: []string{"go", "env", "GOVERSION"}, Dir: ctx.ApplicationPath,
		Env: os.Environ(), Stdout: &out, Stderr: b.Logger.BodyWriter()}); err != nil {
		return "", fmt.Errorf("no usable go command (kiln/go-dist provides it): %w", err)
	}
	return strings.TrimSpace(out.String()), nil
}

// mainPackage picks the package to compile.
func (b Builder) mainPackage(ctx libcnb.BuildContext, env []string) (string, error) {
	if p := os.Getenv(gofunction.BuildPackageEnv); p != "" {
		return p, nil
	}
	if p := strings.TrimSpace(os.Getenv("BP_GO_TARGETS")); p != "" {
		return checkTarget(ctx.ApplicationPath, p)
	}
	var out bytes.Buffer
	if err := b.Executor.Run(command.Command{Args: []string{"go", "list", "-f", "{{.Name}} {{.ImportPath}} {{.Dir}}", "./..."},
		Dir: ctx.ApplicationPath, Env: env, Stdout: &out, Stderr: b.Logger.BodyWriter()}); err != nil {
		return "", fmt.Errorf("listing packages: %w", err)
	}
	var mains []string
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		f := strings.Fields(line)
		if len(f) == 3 && f[0] == "main" {
			rel, err := filepath.Rel(ctx.ApplicationPath, f[2])
			if err != nil {
				return "", err
			}
			mains = append(mains, "./"+filepath.ToSlash(rel))
		}
	}
	sort.Strings(mains)
	switch len(mains) {
	case 1:
		return filepath.Clean(mains[0]), nil
	case 0:
		return "", b.noMainError(ctx.ApplicationPath)
	}
	return "", fmt.Errorf("the module has %d main packages (%s): set BP_GO_TARGETS to the one to build", len(mains), strings.Join(mains, ", "))
}

func (b Builder) noMainError(appDir string) error {
	msg := "the module has no main package and FUNC_NAME is not set. To serve a function, set FUNC_NAME (kiln build --target NAME)"
	if pkg, err := gofunction.Analyze(appDir); err == nil {
		var names []string
		for n, sig := range pkg.Exported {
			if sig != "" {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		if len(names) > 0 {
			msg += fmt.Sprintf("; package %s exports: %s", pkg.Name, strings.Join(names, ", "))
		}
	}
	return fmt.Errorf("%s. To build a program, add a main package", msg)
}
