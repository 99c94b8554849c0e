package main

import (
	"fmt"
	"runtime"

	"kiln.dev/kiln/platform/builder"
	"kiln.dev/kiln/platform/lifecycle"
	"kiln.dev/kiln/platform/version"
)

func runVersion(args []string) error {
	fs := newFlagSet("version", "version")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	fmt.Printf("kiln %s\n", version.String())
	fmt.Printf("  lifecycle   %s (Platform API %s)\n", builder.LifecycleVersion, lifecycle.PlatformAPI)
	fmt.Printf("  pack        %s\n", builder.PackVersion)
	fmt.Printf("  go          %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
