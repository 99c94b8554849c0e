package main

import (
	"fmt"

	"github.com/spf13/cobra"

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
	var imf imageFlags
	imf.register(fs)
	cmd.RunE = func(_ *cobra.Command, pos []string) error {
		return c.sbom(pos[0], *outDir, &imf)
	}
	return cmd
}

func (c *cli) sbom(image, outDir string, imf *imageFlags) error {
	ref, img, done, err := imf.fetch(image)
	if err != nil {
		return err
	}
	defer done()
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
