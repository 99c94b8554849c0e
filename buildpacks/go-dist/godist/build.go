package godist

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/depcache"
	"kiln.dev/kiln/buildpacks/internal/gomod"
	"kiln.dev/kiln/buildpacks/internal/goproxy"
	"kiln.dev/kiln/buildpacks/internal/sbom"
	"kiln.dev/kiln/platform/fsutil"
)

// Fetcher downloads and verifies a toolchain zip into dir.
type Fetcher func(ctx context.Context, version, dir string) (zipPath, hash string, err error)

// ProxyFetcher fetches from $GOPROXY and verifies against $GOSUMDB.
func ProxyFetcher(logger log.Logger) Fetcher {
	return func(ctx context.Context, version, dir string) (string, string, error) {
		c, err := goproxy.NewClient(os.Getenv("GOPROXY"))
		if err != nil {
			return "", "", err
		}
		if _, _, off, _ := goproxy.SumDB(os.Getenv("GOSUMDB")); off {
			logger.Body("WARNING: GOSUMDB=off: the toolchain is NOT checksum-verified")
		}
		logger.Bodyf("Downloading %s@%s from %s", goproxy.ToolchainModule, goproxy.ToolchainVersion(version, runtime.GOARCH), c.Base)
		return c.FetchToolchain(ctx, version, runtime.GOARCH, os.Getenv("GOSUMDB"), dir)
	}
}

// Builder is the build step, with its network access injectable for tests.
type Builder struct {
	Logger log.Logger
	Fetch  Fetcher
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	logger := log.NewPaketoLogger(os.Stdout)
	return Builder{Logger: logger, Fetch: ProxyFetcher(logger)}.Build(ctx)
}

// Build contributes the cached "go" toolchain layer.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	in, err := versionInputs(ctx)
	if err != nil {
		return result, err
	}
	version, source, err := ResolveVersion(in)
	if err != nil {
		return result, err
	}
	b.Logger.Headerf("%s", Describe(version, source, in))

	layer, err := ctx.Layers.Layer("go")
	if err != nil {
		return result, err
	}
	if depcache.Dir() != "" {
		layer, goroot, err := b.shared(layer, version)
		if err != nil {
			return result, fmt.Errorf("go %s: %w", version, err)
		}
		if err := b.writeSBOM(layer, version, goroot); err != nil {
			return result, err
		}
		result.Layers = append(result.Layers, layer)
		return result, nil
	}
	lc := libpak.NewLayerContributor("Go "+version,
		map[string]interface{}{"version": version, "arch": runtime.GOARCH, "trim": 1, "record": 1},
		libcnb.LayerTypes{Build: true, Cache: true}, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error { return b.install(version, l.Path) })
	if err != nil {
		return result, fmt.Errorf("go %s: %w", version, err)
	}
	// The go command must never fetch another toolchain behind the user's back.
	layer.BuildEnvironment.Override("GOTOOLCHAIN", "local")
	layer.BuildEnvironment.Override("GOROOT", layer.Path)
	if err := b.writeSBOM(layer, version, layer.Path); err != nil {
		return result, err
	}
	result.Layers = append(result.Layers, layer)
	return result, nil
}

// install downloads, verifies and unpacks Go version into goroot.
func (b Builder) install(version, goroot string) error {
	start := time.Now()
	tmp, err := os.MkdirTemp("", "go-dist")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	zipPath, hash, err := b.Fetch(context.Background(), version, tmp)
	if err != nil {
		return err
	}
	if hash != "" {
		b.Logger.Bodyf("Verified %s against the checksum database", hash)
	}
	if err := unpack(zipPath, hash, version, runtime.GOARCH, goroot); err != nil {
		return err
	}
	b.Logger.Bodyf("Installed in %s", time.Since(start).Round(10*time.Millisecond))
	return nil
}

// unpack extracts the toolchain zip (verified against h1 unless GOSUMDB=off)
// into goroot and records what the SBOMs say about it (go-dist's and
// go-build's): the one way a toolchain enters a GOROOT, for a build and for
// the platform's verified fill of the shared cache (InstallVerified).
func unpack(zipPath, h1, version, goarch, goroot string) error {
	sum, err := fsutil.FileSHA256(zipPath)
	if err != nil {
		return err
	}
	if err := goproxy.ExtractToolchain(zipPath, goroot); err != nil {
		return err
	}
	return sbom.WriteGoToolchain(goroot, sbom.GoToolchain{GoVersion: version, Module: goproxy.ToolchainModule,
		Version: goproxy.ToolchainVersion(version, goarch), H1: h1, SHA256: sum})
}

// shared keeps the toolchain in the platform's machine-wide dependency cache
// (KILN_DEPENDENCY_CACHE) and points a build-only layer's env at it: nothing
// to restore or re-export per app, one download per machine.
func (b Builder) shared(layer libcnb.Layer, version string) (libcnb.Layer, string, error) {
	goroot := depcache.Path("go", version+"-linux-"+runtime.GOARCH)
	filled, err := depcache.Populate(goroot, func(dir string) error { return b.install(version, dir) })
	if err != nil {
		return layer, goroot, err
	}
	if !filled {
		b.Logger.Headerf("Go %s: Reusing the shared dependency cache (%s)", version, goroot)
	}
	if layer, err = layer.Reset(); err != nil {
		return layer, goroot, err
	}
	layer.LayerTypes = libcnb.LayerTypes{Build: true}
	layer.Metadata = map[string]interface{}{"version": version, "goroot": goroot}
	layer.BuildEnvironment.Override("GOTOOLCHAIN", "local")
	layer.BuildEnvironment.Override("GOROOT", goroot)
	layer.BuildEnvironment.Prepend("PATH", string(os.PathListSeparator), filepath.Join(goroot, "bin"))
	return layer, goroot, nil
}

func versionInputs(ctx libcnb.BuildContext) (VersionInputs, error) {
	in := VersionInputs{Env: os.Getenv("BP_GO_VERSION")}
	if list, ok := ctx.Buildpack.Metadata["versions"].([]interface{}); ok {
		for _, v := range list {
			if s, ok := v.(string); ok {
				in.Pinned = append(in.Pinned, s)
			}
		}
	}
	mod, err := gomod.Read(ctx.ApplicationPath)
	if err != nil {
		if os.IsNotExist(err) {
			return in, nil
		}
		return in, err
	}
	in.Toolchain, in.GoDirective = mod.ToolchainDirective(), mod.GoDirective()
	return in, nil
}
