package publish

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"kiln.dev/kiln/platform/builder"
)

// Builders are the builders kiln publish makes (builders/<name>).
var Builders = []string{"go", "node", "python", "java"}

// builderRepo is where builder name goes.
func builderRepo(registry, name string) string { return registry + "/kiln/builder-" + name }

// publishBuilders creates every builder per architecture with `pack builder
// create --publish` into the scratch registry (FROM the scratch build image,
// naming the published run image and its mirrors) and pushes one index per
// builder.
func (p *publisher) publishBuilders(ctx context.Context) error {
	for _, n := range Builders {
		start := time.Now()
		var imgs []archImage
		var run *RunImage
		for _, arch := range p.opts.Arches {
			if err := ctx.Err(); err != nil {
				return err
			}
			ref := p.scratch.ref("kiln/builder-"+n, p.opts.Version+"-"+arch)
			opts := builder.Options{
				Name: n, Source: p.opts.Source, BuildpacksDir: p.buildpacksDir(arch), LifecycleDir: p.opts.LifecycleDirs[arch],
				Pack: p.opts.Pack, PackHome: p.packHome, StackImage: p.stackImage(arch), RunImageMirrors: p.runImageMirrors,
				Arch: arch, Labels: map[string]string{"org.opencontainers.image.version": p.opts.Version},
				Env: p.packEnv, Ref: ref, WorkDir: filepath.Join(p.work, "builder-"+n+"-"+arch), Out: p.log,
			}
			if opts.LifecycleDir == "" {
				return fmt.Errorf("no lifecycle for linux/%s: build it with `bash platform/tools/build.sh cnb-%s`", arch, arch)
			}
			if err := builder.Create(opts); err != nil {
				return err
			}
			img, err := p.scratch.image(ref)
			if err != nil {
				return err
			}
			if run == nil {
				if run, err = builderRunImage(img); err != nil {
					return fmt.Errorf("builder %s: %w", n, err)
				}
			}
			imgs = append(imgs, archImage{arch, img})
		}
		idx, err := makeIndex(imgs)
		if err != nil {
			return fmt.Errorf("builder %s: %w", n, err)
		}
		a, err := pushIndex(ctx, p.opts.Target, "builder", n, builderRepo(p.opts.Registry, n), p.tags(), idx)
		if err != nil {
			return err
		}
		a.RunImage = run
		p.done(a, start)
	}
	return nil
}
