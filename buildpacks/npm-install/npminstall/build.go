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
	npmCache, err := b.npmCache(ctx, &result)
	if err != nil {
		return result, err
	}
	layer, err := ctx.Layers.Layer("modules")
	if err != nil {
		return result, err
	}
	lc := libpak.NewLayerContributor("node_modules",
		map[string]interface{}{"manifests": hash, "node": nodeV, "npm": npmV, "lockfile": lock},
		libcnb.LayerTypes{Build: true, Launch: true, Cache: true}, b.Logger)
	if err := lc.Contribute(&layer, func(l *libcnb.Layer) error { return b.install(app, l.Path, lock, npmCache) }); err != nil {
		return result, err
	}
	layer.SharedEnvironment.Prepend("PATH", string(os.PathListSeparator), filepath.Join(layer.Path, "node_modules", ".bin"))
	if err := link(app, filepath.Join(layer.Path, "node_modules"), b.Logger); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, layer)
	return result, nil
}

// install runs npm in dir with copies of the app's manifests.
func (b Builder) install(app, dir, lock, npmCache string) error {
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
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			return err
		}
	}
	args := []string{"npm", "install", "--omit=dev", "--no-audit", "--no-fund", "--no-update-notifier"}
	if lock != "" {
		args[1] = "ci"
	} else {
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
