package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
	"kiln.dev/kiln/platform/rebase"
	"kiln.dev/kiln/platform/registry"
)

func runRebase(args []string) error {
	fs := newFlagSet("rebase", "rebase IMAGE [--run-image REF] [--force] [--insecure-registry HOST]...")
	runImage := fs.String("run-image", "", "new run image (default: the run image the app names, re-resolved: its tag may have moved)")
	force := fs.Bool("force", false, "rebase onto a run image the app does not name (nor its mirrors)")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"kiln rebase IMAGE [--run-image REF]"}
	}
	h := home.Default()
	ref, done, err := qualify(h, pos[0], *regAddr)
	if err != nil {
		return err
	}
	defer done()
	fmt.Printf("==> Rebasing %s\n", ref)
	res, err := rebase.Rebase(context.Background(), rebase.Options{
		Image: ref, RunImage: *runImage, Force: *force,
		Lifecycle: filepath.Join(h.Tools(), "lifecycle-v"+builder.LifecycleVersion, "lifecycle"),
		Target:    publish.Target{Insecure: insecure}, Out: os.Stdout,
	})
	if err != nil {
		return err
	}
	fmt.Printf("    image:      %s → %s\n", res.Before, res.After)
	fmt.Printf("    run image:  %s → %s\n", res.RunBefore, res.RunAfter)
	fmt.Printf("    app layers: %d unchanged\n", len(res.AppLayers))
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
