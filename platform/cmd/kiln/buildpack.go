package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/buildpackage"
)

func newBuildpackCmd(c *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "buildpack",
		Short: "Compile Kiln's buildpacks",
		Args:  subcommandArgs("kiln buildpack package [--source DIR] [--out DIR]", "package"),
		RunE:  needSubcommand("kiln buildpack package [--source DIR] [--out DIR]"),
	}
	pkg := &cobra.Command{
		Use:   "package",
		Short: "Compile the buildpacks into CNB buildpack directories",
		Args:  exactArgs(0, "kiln buildpack package takes no arguments"),
	}
	src := pkg.Flags().String("source", ".", "the Kiln source tree")
	out := pkg.Flags().String("out", "out/buildpacks", "where the CNB buildpack directories go")
	pkg.RunE = func(*cobra.Command, []string) error {
		fmt.Fprintf(c.stdout, "==> Packaging buildpacks into %s\n", *out)
		_, err := buildpackage.Package(*src, *out, c.stdout)
		return err
	}
	cmd.AddCommand(pkg)
	return cmd
}
