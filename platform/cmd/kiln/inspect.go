package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/inspect"
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
	var imf imageFlags
	imf.register(fs)
	cmd.RunE = func(_ *cobra.Command, pos []string) error {
		if *output != "text" && *output != "json" {
			return usageError{fmt.Sprintf("--output %q: use text or json", *output)}
		}
		ref, img, done, err := imf.fetch(pos[0])
		if err != nil {
			return err
		}
		defer done()
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
