package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
)

func newBuilderCmd(c *cli) *cobra.Command {
	const usage = "kiln builder create [go|node|python|java]... (default: all) | kiln builder lifecycle-tarball FILE [--arch arm64]"
	cmd := &cobra.Command{
		Use:   "builder",
		Short: "Create a builder image",
		Args:  subcommandArgs(usage, "create", "lifecycle-tarball"),
		RunE:  needSubcommand(usage),
	}
	fs := cmd.PersistentFlags()
	src := fs.String("source", ".", "the Kiln source tree")
	bps := fs.String("buildpacks", "out/buildpacks", "packaged buildpacks (kiln buildpack package)")
	registry := fs.String("registry", "", "registry holding the stack images, where the builder goes (default: the embedded one)")
	tag := fs.String("tag", "", "builder image reference (default: REGISTRY/kiln/builder-NAME:latest)")
	arch := fs.String("arch", runtime.GOARCH, "lifecycle-tarball: the lifecycle's architecture (arm64: build.sh cnb-arm64 first)")
	create := &cobra.Command{
		Use:       "create [go|node|python|java]...",
		Short:     "Create builder images with pack (default: all four)",
		ValidArgs: []string{"go", "node", "python", "java"},
		RunE: func(_ *cobra.Command, names []string) error {
			if len(names) == 0 {
				names = []string{"go", "node", "python", "java"}
			}
			if *tag != "" && len(names) > 1 {
				return usageError{"--tag names one builder: kiln builder create NAME --tag REF"}
			}
			h := home.Default()
			addr, done, err := registryAddr(h, *registry)
			if err != nil {
				return err
			}
			defer done()
			for _, name := range names {
				ref := *tag
				if ref == "" {
					ref = fmt.Sprintf("%s/kiln/builder-%s:latest", addr, name)
				}
				if err := c.createBuilder(h, name, ref, addr, *registry == "", *src, *bps); err != nil {
					return err
				}
			}
			return nil
		},
	}
	tarball := &cobra.Command{
		Use:   "lifecycle-tarball FILE",
		Short: "Write the lifecycle tarball pack's [lifecycle] uri takes",
		Args:  exactArgs(1, "kiln builder lifecycle-tarball FILE [--arch arm64]"),
		RunE: func(_ *cobra.Command, pos []string) error {
			// The tarball pack's [lifecycle] uri takes, for users composing
			// their own builder (pack cannot download one from here).
			dir := filepath.Join(home.Default().Tools(), "lifecycle-v"+builder.LifecycleVersion)
			if *arch != runtime.GOARCH {
				dir += "-linux-" + *arch
			}
			if err := builder.WriteLifecycleTarball(dir, pos[0]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout, "lifecycle %s (linux/%s) with its SBOMs: %s\n", builder.LifecycleVersion, *arch, pos[0])
			return nil
		},
	}
	cmd.AddCommand(create, tarball)
	return cmd
}

func (c *cli) createBuilder(h home.Dir, name, ref, addr string, embedded bool, src, bps string) error {
	tools := h.Tools()
	start := time.Now()
	fmt.Fprintf(c.stdout, "==> Creating builder %s with pack\n", ref)
	work, err := os.MkdirTemp(ensure(h.Runs()), "builder-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	var env []string
	if embedded {
		// pack pushes with the embedded registry's token (from a Docker
		// config in the run directory, removed with it); another registry
		// keeps the user's Docker config.
		dockerConfig := filepath.Join(work, "docker")
		if err := registry.WriteDockerConfig(h.Registry(), addr, dockerConfig); err != nil {
			return err
		}
		env = append(env, "DOCKER_CONFIG="+dockerConfig)
	}
	opts := builder.Options{
		Name: name, Source: src, BuildpacksDir: bps,
		LifecycleDir: filepath.Join(tools, "lifecycle-v"+builder.LifecycleVersion),
		Pack:         filepath.Join(tools, "pack-v"+builder.PackVersion, "pack"), PackHome: filepath.Join(string(h), "pack"),
		Env: env, Ref: ref, WorkDir: work, Out: c.stdout,
	}
	opts.Registry(addr)
	err = builder.Create(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "==> Builder ready in %s: %s\n", time.Since(start).Round(time.Millisecond), ref)
	return nil
}
