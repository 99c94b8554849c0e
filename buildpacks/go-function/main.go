// Command main is the kiln/go-function buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

func main() {
	libpak.BuildpackMain(gofunction.Detect, gofunction.Build)
}
