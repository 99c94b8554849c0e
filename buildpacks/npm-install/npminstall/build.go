package npminstall

import (
	"bytes"
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
	"kiln.dev/kiln/buildpacks/internal/nodeapp"
)

// Builder installs node_modules.
type Builder struct {
	Logger   log.Logger
	Executor command.Executor
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout), Executor: command.ExecExecutor{}}.Build(ctx)
}

func (b Builder) version(app string, args ...string) (string, error) {
	var out bytes.Buffer
	err := b.Executor.Run(command.Command{Args: args, Dir: app, Env: os.Environ(), Stdout: &out, Stderr: b.Logger.BodyWriter()})
	return strings.TrimSpace(out.String()), err
}

// Build contributes the modules layer and links node_modules to it.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	app := ctx.ApplicationPath
	nodeV, err := b.version(app, "node", "--version")
	if err != nil {
		return result, fmt.Errorf("no node (kiln/node-engine provides it): %w", err)
	}
	npmV, err := b.version(app, "npm", "--version")
	if err != nil {
		return result, fmt.Errorf("no npm (kiln/node-engine provides it): %w", err)
	}
	lock := nodeapp.Lockfile(app)
	hash, err := nodeapp.HashFiles(app, "package.json", lock, ".npmrc")
	if err != nil {
		return result, err
	}
	dropped, err := b.frameworksKilnServes(app)
	if err != nil {
		return result, err
	}
	npmCache, err := b.npmCache(ctx, &result)
	if err != nil {
		return result, err
	}
	layer, err := ctx.Layers.Layer("modules")
	if err != nil {
		return result, err
	}
	key := map[string]interface{}{"manifests": hash, "node": nodeV, "npm": npmV, "lockfile": lock}
	if len(dropped) > 0 {
		key["not-installed"] = strings.Join(dropped, ",")
	}
	lc := libpak.NewLayerContributor("node_modules", key, libcnb.LayerTypes{Build: true, Launch: true, Cache: true}, b.Logger)
	if err := lc.Contribute(&layer, func(l *libcnb.Layer) error { return b.install(app, l.Path, lock, npmCache, dropped) }); err != nil {
		return result, err
	}
	if err := writeSBOM(layer); err != nil {
		return result, err
	}
	layer.SharedEnvironment.Prepend("PATH", string(os.PathListSeparator), filepath.Join(layer.Path, "node_modules", ".bin"))
	if err := link(app, filepath.Join(layer.Path, "node_modules"), b.Logger); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, layer)
	return result, nil
}

// frameworksKilnServes lists the functions frameworks package.json depends
// on that npm must not install: Kiln serves those functions on its own
// framework with a compatibility layer (kiln/node-function), unless
// BP_FUNCTION_FRAMEWORK=native asks for the app's own.
func (b Builder) frameworksKilnServes(app string) ([]string, error) {
	mode, err := nodeapp.FrameworkMode()
	if err != nil {
		return nil, err
	}
	pkg, err := nodeapp.Read(app)
	if err != nil || mode == nodeapp.ModeNative {
		return nil, err
	}
	dropped := nodeapp.Packages(pkg.Declared())
	if len(dropped) > 0 {
		b.Logger.Bodyf("Not installing %s: Kiln serves the function on its own framework with a compatibility layer for it (nothing to download); set %s=native to install it and run its own server",
			strings.Join(dropped, ", "), nodeapp.FrameworkEnv)
	}
	return dropped, nil
}

// install runs npm in dir with copies of the app's manifests (package.json
// without the dropped packages).
func (b Builder) install(app, dir, lock, npmCache string, dropped []string) error {
	for _, f := range []string{"package.json", lock, ".npmrc"} {
		if f == "" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(app, f))
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		if f == "package.json" && len(dropped) > 0 {
			if data, err = nodeapp.WithoutDependencies(data, dropped); err != nil {
				return err
			}
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			return err
		}
	}
	args := []string{"npm", "install", "--omit=dev", "--no-audit", "--no-fund", "--no-update-notifier"}
	switch {
	case lock != "" && len(dropped) > 0:
		// npm ci refuses a lockfile that names packages package.json no longer
		// has; npm install keeps the lockfile's versions and prunes the rest.
		b.Logger.Bodyf("%s lists %s, which Kiln does not install: running npm install (the lockfile still pins every other package)", lock, strings.Join(dropped, ", "))
	case lock != "":
		args[1] = "ci"
	default:
		b.Logger.Body("No package-lock.json: running npm install (commit a lockfile for reproducible builds)")
	}
	b.Logger.Bodyf("%s", strings.Join(args, " "))
	start := time.Now()
	env := append(os.Environ(), "npm_config_cache="+npmCache, "NODE_ENV=production")
	var out bytes.Buffer
	err := b.Executor.Run(command.Command{Args: args, Dir: dir, Env: env, Stdout: &out, Stderr: &out})
	b.Logger.BodyWriter().Write(out.Bytes())
	if err != nil {
		detail := strings.TrimSpace(out.String())
		if detail == "" {
			detail = err.Error()
		}
		return fmt.Errorf("installing dependencies failed: `%s`:\n%s\ncheck the dependencies in package.json (and %s), and the registry (NPM_CONFIG_REGISTRY or registry= in .npmrc)", strings.Join(args, " "), detail, map[bool]string{true: lock, false: "package-lock.json"}[lock != ""])
	}
	b.Logger.Bodyf("Installed in %s", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// npmCache is npm's download cache: the shared dependency cache when the
// platform has one, else a cache layer.
func (b Builder) npmCache(ctx libcnb.BuildContext, result *libcnb.BuildResult) (string, error) {
	if depcache.Dir() != "" {
		return depcache.Path("npm-cache"), nil
	}
	l, err := ctx.Layers.Layer("npm-cache")
	if err != nil {
		return "", err
	}
	lc := libpak.NewLayerContributor("npm cache", map[string]interface{}{"schema": 1}, libcnb.LayerTypes{Cache: true}, b.Logger)
	if err := lc.Contribute(&l, func(*libcnb.Layer) error { return nil }); err != nil {
		return "", err
	}
	result.Layers = append(result.Layers, l)
	return l.Path, nil
}

// link makes app/node_modules point at the installed modules.
func link(app, modules string, logger log.Logger) error {
	p := filepath.Join(app, "node_modules")
	if st, err := os.Lstat(p); err == nil {
		if st.Mode()&os.ModeSymlink == 0 {
			logger.Body("WARNING: replacing the node_modules directory in the source with the installed dependencies (add node_modules to .gitignore)")
		}
		if err := os.RemoveAll(p); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(modules, 0o755); err != nil {
		return err
	}
	return os.Symlink(modules, p)
}
