// Command main is the kiln/node-function buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/node-function/nodefunction"
)

func main() {
	libpak.BuildpackMain(nodefunction.Detect, nodefunction.Build)
}
