package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
	"kiln.dev/kiln/platform/rebase"
	"kiln.dev/kiln/platform/registry"
)

func newRebaseCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "rebase IMAGE",
		Short: "Move an app image onto a new run image",
		Args:  exactArgs(1, "kiln rebase IMAGE [--run-image REF]"),
	}
	fs := cmd.Flags()
	runImage := fs.String("run-image", "", "new run image (default: the run image the app names, re-resolved: its tag may have moved)")
	force := fs.Bool("force", false, "rebase onto a run image the app does not name (nor its mirrors)")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
	cmd.RunE = func(_ *cobra.Command, pos []string) error {
		return c.rebase(pos[0], *runImage, *regAddr, *force, insecure)
	}
	return cmd
}

func (c *cli) rebase(image, runImage, regAddr string, force bool, insecure listFlag) error {
	h := home.Default()
	ref, done, err := qualify(h, image, regAddr)
	if err != nil {
		return err
	}
	defer done()
	fmt.Fprintf(c.stdout, "==> Rebasing %s\n", ref)
	res, err := rebase.Rebase(context.Background(), rebase.Options{
		Image: ref, RunImage: runImage, Force: force,
		Lifecycle: filepath.Join(h.Tools(), "lifecycle-v"+builder.LifecycleVersion, "lifecycle"),
		Target:    publish.Target{Insecure: insecure}, Out: c.stdout,
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(c.stdout, "    image:      %s → %s\n", res.Before, res.After)
	fmt.Fprintf(c.stdout, "    run image:  %s → %s\n", res.RunBefore, res.RunAfter)
	fmt.Fprintf(c.stdout, "    app layers: %d unchanged\n", len(res.AppLayers))
	return nil
}

// qualify names an image: references with a registry host as they are,
// short names in the embedded registry (served while the command runs).
func qualify(h home.Dir, name, regAddr string) (string, func(), error) {
	if registry.IsQualified(name) {
		return name, func() {}, nil
	}
	reg, err := openRegistry(h, regAddr)
	if err != nil {
		return "", nil, err
	}
	return reg.Ref(name), func() { reg.Close() }, nil
}
