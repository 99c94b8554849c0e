package publish

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"kiln.dev/kiln/stacks"
)

// stackRepo is where stack image n goes in registry.
func stackRepo(registry, n string) string { return registry + "/kiln/stack/" + n }

// publishStacks builds every stack image for every architecture, keeps a
// per-architecture copy in the scratch registry (pack builds builders FROM
// the build images there) and pushes one index per image.
func (p *publisher) publishStacks(ctx context.Context) error {
	s, err := stacks.Load(p.opts.StackDir)
	if err != nil {
		return err
	}
	p.stack = s
	for _, n := range s.ImageNames() {
		start := time.Now()
		var imgs []archImage
		for _, arch := range p.opts.Arches {
			if err := ctx.Err(); err != nil {
				return err
			}
			img, err := s.ImageFor(n, arch, p.opts.DebCache, p.log)
			if err != nil {
				return err
			}
			ref := p.scratch.ref("kiln/stack/"+n, p.opts.Version+"-"+arch)
			if err := p.scratch.write(ref, img); err != nil {
				return fmt.Errorf("stack %s (%s) into the scratch registry: %w", n, arch, err)
			}
			if img, err = p.scratch.image(ref); err != nil {
				return err
			}
			imgs = append(imgs, archImage{arch, img})
		}
		idx, err := makeIndex(imgs)
		if err != nil {
			return fmt.Errorf("stack %s: %w", n, err)
		}
		a, err := pushIndex(ctx, p.opts.Target, "stack", n, stackRepo(p.opts.Registry, n), append(p.tags(), p.channel()), idx)
		if err != nil {
			return err
		}
		p.done(a, start)
	}
	return nil
}

// channel is the stack's moving tag (its directory name: bookworm). Builders
// name run images by it, so apps record it and `pack rebase APP` / `kiln
// rebase APP` pick up a stack published later with updated packages; V and
// latest pin or follow releases.
func (p *publisher) channel() string { return filepath.Base(filepath.Clean(p.opts.StackDir)) }

// stackImage is what builder.toml's {{stack "NAME"}} becomes for arch: run
// images (rebasable) are named in the published registry by the stack's
// channel tag, because apps record them; build images are read from the
// scratch copy, because only pack reads them.
func (p *publisher) stackImage(arch string) func(string) string {
	return func(n string) string {
		if p.stack.Images[n].Rebasable {
			return stackRepo(p.opts.Registry, n) + ":" + p.channel()
		}
		return p.scratch.ref("kiln/stack/"+n, p.opts.Version+"-"+arch)
	}
}

// runImageMirrors lists run image n in every mirror registry.
func (p *publisher) runImageMirrors(n string) []string {
	var out []string
	for _, m := range p.opts.RunImageMirrors {
		out = append(out, stackRepo(m, n)+":"+p.channel())
	}
	return out
}
