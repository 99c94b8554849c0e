// Command main is the kiln/go-dist buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
)

func main() {
	libpak.BuildpackMain(godist.Detect, godist.Build)
}
