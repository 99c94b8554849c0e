package publish

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/buildpackage"
)

// buildpackRepo is where buildpack id goes: REGISTRY/kiln/buildpacks/NAME
// for id kiln/NAME.
func buildpackRepo(registry, id string) string {
	return registry + "/kiln/buildpacks/" + strings.TrimPrefix(id, "kiln/")
}

// publishBuildpacks compiles every buildpack per architecture (stamped with
// the release version), packages each with `pack buildpack package
// --format image --publish` into the scratch registry and pushes one
// multi-arch buildpackage index per buildpack.
func (p *publisher) publishBuildpacks(ctx context.Context) error {
	byID := map[string][]archImage{}
	var ids []string
	for _, arch := range p.opts.Arches {
		dir := p.buildpacksDir(arch)
		pkgs, err := buildpackage.PackageWith(p.opts.Source, dir, buildpackage.Options{Arch: arch, Version: p.opts.Version}, p.log)
		if err != nil {
			return err
		}
		for _, bp := range pkgs {
			if err := ctx.Err(); err != nil {
				return err
			}
			start := time.Now()
			cfg := filepath.Join(p.work, "package-"+strings.ReplaceAll(bp.ID, "/", "_")+"-"+arch+".toml")
			if err := os.WriteFile(cfg, []byte(fmt.Sprintf("[buildpack]\n  uri = %q\n", bp.Dir)), 0o644); err != nil {
				return err
			}
			ref := p.scratch.ref("kiln/buildpacks/"+strings.TrimPrefix(bp.ID, "kiln/"), p.opts.Version+"-"+arch)
			if err := builder.RunPack(p.opts.Pack, p.packHome, p.packEnv, p.log, "buildpack", "package", ref, "--config", cfg,
				"--format", "image", "--publish", "--target", "linux/"+arch, "--label", "org.opencontainers.image.version="+p.opts.Version); err != nil {
				return err
			}
			img, err := p.scratch.image(ref)
			if err != nil {
				return err
			}
			if _, seen := byID[bp.ID]; !seen {
				ids = append(ids, bp.ID)
			}
			byID[bp.ID] = append(byID[bp.ID], archImage{arch, img})
			fmt.Fprintf(p.log, "    packaged %s (linux/%s) in %s\n", bp.ID, arch, time.Since(start).Round(time.Millisecond))
		}
	}
	for _, id := range ids {
		start := time.Now()
		idx, err := makeIndex(byID[id])
		if err != nil {
			return fmt.Errorf("buildpack %s: %w", id, err)
		}
		a, err := pushIndex(ctx, p.opts.Target, "buildpack", id, buildpackRepo(p.opts.Registry, id), p.tags(), idx)
		if err != nil {
			return err
		}
		p.done(a, start)
	}
	return nil
}

func (p *publisher) buildpacksDir(arch string) string {
	return filepath.Join(p.work, "buildpacks-"+arch)
}
