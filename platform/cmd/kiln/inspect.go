package main

import (
	"context"
	"encoding/json"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/inspect"
	"kiln.dev/kiln/platform/publish"
)

func newInspectCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:     "inspect IMAGE",
		Short:   "Show an image's function target and signature, buildpacks, run image and SBOM summary",
		Example: "  kiln inspect hello\n  kiln inspect registry.example.com/team/hello:v1 -o json",
		Args:    exactArgs(1, "kiln inspect IMAGE (a name kiln build printed, or a registry reference)"),
	}
	fs := cmd.Flags()
	output := fs.StringP("output", "o", "text", "text, or json (one object)")
	platform := fs.String("platform", "", "for a multi-arch image: which one (default linux/amd64)")
	regAddr := fs.String("registry-addr", "", "embedded registry address (default: remembered; env KILN_REGISTRY_ADDR)")
	var insecure listFlag
	fs.Var(&insecure, "insecure-registry", "registry (host:port) to reach over plain HTTP (repeatable)")
	cmd.RunE = func(_ *cobra.Command, pos []string) error {
		if *output != "text" && *output != "json" {
			return usageError{fmt.Sprintf("--output %q: use text or json", *output)}
		}
		var plat *v1.Platform
		if *platform != "" {
			var err error
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
		rep, err := inspect.Read(ref, img)
		if err != nil {
			return err
		}
		if *output == "json" {
			enc := json.NewEncoder(c.stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(rep)
		}
		return rep.WriteText(c.stdout)
	}
	return cmd
}
