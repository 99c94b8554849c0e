package main

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/version"
)

func newVersionCmd(c *cli) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kiln's version and its pinned lifecycle and pack",
		Args:  exactArgs(0, "kiln version takes no arguments"),
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintf(c.stdout, "kiln %s\n", version.String())
			fmt.Fprintf(c.stdout, "  lifecycle   %s (Platform API %s)\n", builder.LifecycleVersion, lifecycle.PlatformAPI)
			fmt.Fprintf(c.stdout, "  pack        %s\n", builder.PackVersion)
			fmt.Fprintf(c.stdout, "  go          %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}
