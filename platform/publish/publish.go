package publish

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/buildpackage"
	"kiln.dev/kiln/stacks"
)

// Options configures a release.
type Options struct {
	// Registry is where everything goes (host[:port][/path]).
	Registry string
	// Version tags every image; buildpacks and builders carry it.
	Version string
	// Latest also tags every image latest.
	Latest bool
	// Arches are the architectures built (default amd64 and arm64).
	Arches []string
	// RunImageMirrors are registries builders name as run-image mirrors.
	RunImageMirrors []string
	// Source is the Kiln source tree; StackDir its stack definition.
	Source, StackDir string
	// DebCache caches .debs; WorkDir holds intermediate files; OutDir gets
	// the release manifest and the pinned config.
	DebCache, WorkDir, OutDir string
	// Pack is the pinned pack; LifecycleDirs the lifecycle per architecture.
	Pack          string
	LifecycleDirs map[string]string
	Target        Target
	// Skip leaves "builders" or "controller" out (stacks and buildpacks are
	// always published: builders and the controller are made of them).
	Skip map[string]bool
	Log  io.Writer
}

type publisher struct {
	opts     Options
	log      io.Writer
	work     string
	packHome string
	packEnv  []string
	scratch  *scratch
	stack    *stacks.Stack
	release  *Release
}

// ManifestPath is where Run writes the release manifest.
func ManifestPath(outDir, version string) string {
	return filepath.Join(outDir, "release-"+version+".json")
}

// Run publishes a release and writes its manifest (ManifestPath).
func Run(ctx context.Context, opts Options) (*Release, error) {
	if err := buildpackage.CheckVersion(opts.Version); err != nil {
		return nil, fmt.Errorf("--version: %w", err)
	}
	if opts.Registry == "" {
		return nil, fmt.Errorf("--registry: name the registry to publish to (host[:port][/path])")
	}
	for k := range opts.Skip {
		if k != "builders" && k != "controller" {
			return nil, fmt.Errorf("--skip %s: only builders and controller can be skipped", k)
		}
	}
	if len(opts.Arches) == 0 {
		opts.Arches = []string{"amd64", "arm64"}
	}
	for _, a := range opts.Arches {
		if _, err := stacks.ArchNamed(a); err != nil {
			return nil, fmt.Errorf("--platforms: %w", err)
		}
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if err := os.MkdirAll(opts.WorkDir, 0o755); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(opts.WorkDir, "publish-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	sc, err := startScratch(filepath.Join(work, "scratch"))
	if err != nil {
		return nil, err
	}
	defer sc.close()
	p := &publisher{opts: opts, log: opts.Log, work: work, scratch: sc, packHome: filepath.Join(work, "pack-home"),
		release: &Release{SchemaVersion: ReleaseSchema, Version: opts.Version, Registry: opts.Registry,
			Lifecycle: builder.LifecycleVersion, Pack: builder.PackVersion}}
	for _, a := range opts.Arches {
		p.release.Platforms = append(p.release.Platforms, "linux/"+a)
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"stacks", p.publishStacks}, {"buildpacks", p.publishBuildpacks}, {"builders", p.publishBuilders}, {"controller", p.publishController},
	}
	for _, s := range steps {
		if opts.Skip[s.name] {
			continue
		}
		fmt.Fprintf(p.log, "==> Publishing %s\n", s.name)
		if err := s.run(ctx); err != nil {
			return nil, fmt.Errorf("publishing %s: %w", s.name, err)
		}
	}
	if c, ok := p.release.Find("controller", "kiln-controller"); ok {
		if b, ok := p.release.Find("builder", "go"); ok {
			others := map[string]Artifact{}
			for _, n := range Builders {
				if o, ok := p.release.Find("builder", n); ok && n != "go" {
					others[n] = o
				}
			}
			cfg, err := writeConfig(opts.Source, filepath.Join(opts.OutDir, "config-"+opts.Version), c, b, others)
			if err != nil {
				return nil, err
			}
			cfg.Dir = "config-" + opts.Version
			p.release.Config = cfg
		}
	}
	if err := p.release.Write(ManifestPath(opts.OutDir, opts.Version)); err != nil {
		return nil, err
	}
	return p.release, nil
}

// tags are the tags every index is pushed under.
func (p *publisher) tags() []string {
	if p.opts.Latest {
		return []string{p.opts.Version, "latest"}
	}
	return []string{p.opts.Version}
}

// done records a pushed artifact and says so.
func (p *publisher) done(a Artifact, start time.Time) {
	p.release.Images = append(p.release.Images, a)
	fmt.Fprintf(p.log, "  %s:%s@%s  (%d platforms, %s)\n", a.Repository, a.Tags[0], a.Digest, len(a.Platforms), time.Since(start).Round(time.Millisecond))
}
