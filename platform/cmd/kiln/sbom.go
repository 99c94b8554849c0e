package main

import (
	"context"
	"fmt"
	"os"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
	"kiln.dev/kiln/platform/sbom"
)

func runSBOM(args []string) error {
	fs := newFlagSet("sbom", "sbom IMAGE [--output-dir DIR] [--platform linux/arm64]")
	outDir := fs.String("output-dir", "", "write the SBOM files here (layers/sbom/... as `pack sbom download` does, stack/...) instead of listing them")
	platform := fs.String("platform", "", "for a multi-arch image: which one (default linux/amd64)")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageError{"kiln sbom IMAGE [--output-dir DIR]"}
	}
	var plat *v1.Platform
	if *platform != "" {
		if plat, err = v1.ParsePlatform(*platform); err != nil {
			return usageError{fmt.Sprintf("--platform %q: %v", *platform, err)}
		}
	}
	ref, done, err := qualify(home.Default(), pos[0], *regAddr)
	if err != nil {
		return err
	}
	defer done()
	img, err := publish.Target{Insecure: insecure}.Image(context.Background(), ref, plat)
	if err != nil {
		return err
	}
	rep, err := sbom.Read(img)
	if err != nil {
		return fmt.Errorf("%s: %w", ref, err)
	}
	if *outDir != "" {
		if err := rep.Extract(*outDir); err != nil {
			return err
		}
		fmt.Printf("==> %d SBOM files of %s in %s\n", len(rep.Files), ref, *outDir)
		return nil
	}
	fmt.Printf("==> SBOMs of %s\n", ref)
	return rep.WriteSummary(os.Stdout)
}
