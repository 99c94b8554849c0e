// Command main is the kiln/go-build buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/go-build/gobuild"
)

func main() {
	libpak.BuildpackMain(gobuild.Detect, gobuild.Build)
}
