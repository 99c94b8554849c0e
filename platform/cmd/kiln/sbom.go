package main

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/publish"
	"kiln.dev/kiln/platform/sbom"
)

func newSBOMCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sbom IMAGE",
		Short: "List or extract an image's SBOMs",
		Args:  exactArgs(1, "kiln sbom IMAGE [--output-dir DIR]"),
	}
	fs := cmd.Flags()
	outDir := fs.String("output-dir", "", "write the SBOM files here (layers/sbom/... as `pack sbom download` does, stack/...) instead of listing them")
	platform := fs.String("platform", "", "for a multi-arch image: which one (default linux/amd64)")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
	cmd.RunE = func(_ *cobra.Command, pos []string) error {
		return c.sbom(pos[0], *outDir, *platform, *regAddr, insecure)
	}
	return cmd
}

func (c *cli) sbom(image, outDir, platform, regAddr string, insecure listFlag) error {
	var err error
	var plat *v1.Platform
	if platform != "" {
		if plat, err = v1.ParsePlatform(platform); err != nil {
			return usageError{fmt.Sprintf("--platform %q: %v", platform, err)}
		}
	}
	ref, done, err := qualify(home.Default(), image, regAddr)
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
	if outDir != "" {
		if err := rep.Extract(outDir); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout, "==> %d SBOM files of %s in %s\n", len(rep.Files), ref, outDir)
		return nil
	}
	fmt.Fprintf(c.stdout, "==> SBOMs of %s\n", ref)
	return rep.WriteSummary(c.stdout)
}
