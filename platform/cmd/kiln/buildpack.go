package main

import (
	"fmt"
	"os"

	"kiln.dev/kiln/platform/buildpackage"
)

func runBuildpack(args []string) error {
	fs := newFlagSet("buildpack", "buildpack package [--source DIR] [--out DIR]")
	src := fs.String("source", ".", "the Kiln source tree")
	out := fs.String("out", "out/buildpacks", "where the CNB buildpack directories go")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || pos[0] != "package" {
		return usageError{"kiln buildpack package [--source DIR] [--out DIR]"}
	}
	fmt.Printf("==> Packaging buildpacks into %s\n", *out)
	_, err = buildpackage.Package(*src, *out, os.Stdout)
	return err
}
