package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
)

// listFlag collects a repeatable (or comma-separated) flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Type() string { return "strings" }

func (l *listFlag) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			*l = append(*l, s)
		}
	}
	return nil
}

func newPublishCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "publish --registry REG --version V",
		Short: "Push stacks, buildpacks, builders and the controller to a registry",
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) > 0 {
				return usageError{fmt.Sprintf("kiln publish takes no arguments, got %q", pos)}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	reg := fs.String("registry", os.Getenv("KILN_PUBLISH_REGISTRY"), "registry to publish to, host[:port][/path] (env KILN_PUBLISH_REGISTRY)")
	ver := fs.String("version", "", "release version (semantic version, e.g. 1.2.0): the tag of every image and the version of every buildpack and builder")
	noLatest := fs.Bool("no-latest", false, "do not also tag the images latest")
	src := fs.String("source", ".", "the Kiln source tree")
	stack := fs.String("stack", "stacks/bookworm", "stack definition directory")
	out := fs.String("out", "out/release", "where the release manifest and the pinned controller config go")
	var platforms, mirrors, insecure, skip listFlag
	fs.Var(&platforms, "platforms", "platforms to build (default linux/amd64,linux/arm64)")
	fs.Var(&mirrors, "run-image-mirror", "registry that will mirror the stack images: builders name it as a run-image mirror (repeatable)")
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable; loopback registries need not be named)")
	fs.Var(&skip, "skip", "leave out builders or controller")
	cmd.RunE = func(*cobra.Command, []string) error {
		return c.publish(publishFlags{*reg, *ver, !*noLatest, *src, *stack, *out, platforms, mirrors, insecure, skip})
	}
	return cmd
}

type publishFlags struct {
	reg, ver                           string
	latest                             bool
	src, stack, out                    string
	platforms, mirrors, insecure, skip listFlag
}

func (c *cli) publish(f publishFlags) error {
	reg, ver, src, stack, out := &f.reg, &f.ver, &f.src, &f.stack, &f.out
	platforms, mirrors, insecure, skip := f.platforms, f.mirrors, f.insecure, f.skip
	if *reg == "" || *ver == "" {
		return usageError{"kiln publish --registry REG --version V: both are required"}
	}
	arches := []string{}
	for _, p := range platforms {
		a, ok := strings.CutPrefix(p, "linux/")
		if !ok {
			return usageError{fmt.Sprintf("--platforms %q: want linux/<arch>", p)}
		}
		arches = append(arches, a)
	}
	h := home.Default()
	tools := h.Tools()
	skipSet := map[string]bool{}
	for _, s := range skip {
		skipSet[s] = true
	}
	if err := os.MkdirAll(h.Debs(), 0o755); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	fmt.Fprintf(c.stdout, "==> Publishing Kiln %s to %s\n", *ver, *reg)
	rel, err := publish.Run(ctx, publish.Options{
		Registry: strings.TrimSuffix(*reg, "/"), Version: *ver, Latest: f.latest, Arches: arches,
		RunImageMirrors: mirrors, Source: *src, StackDir: *stack,
		DebCache: h.Debs(), WorkDir: h.Runs(), OutDir: *out,
		Pack: filepath.Join(tools, "pack-v"+builder.PackVersion, "pack"),
		LifecycleDirs: map[string]string{
			"amd64": filepath.Join(tools, "lifecycle-v"+builder.LifecycleVersion),
			"arm64": filepath.Join(tools, "lifecycle-v"+builder.LifecycleVersion+"-linux-arm64"),
		},
		Target: publish.Target{Insecure: insecure}, Skip: skipSet, Log: c.stdout,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "==> Published %d images in %s\n", len(rel.Images), time.Since(start).Round(time.Millisecond))
	if rel.Config != nil {
		fmt.Fprintf(c.stdout, "    controller config: kubectl apply -k %s\n", filepath.Join(*out, rel.Config.Dir))
	}
	fmt.Fprintf(c.stdout, "    release manifest: %s\n", publish.ManifestPath(*out, *ver))
	return nil
}
