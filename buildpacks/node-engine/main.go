// Command main is the kiln/node-engine buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/node-engine/nodeengine"
)

func main() {
	libpak.BuildpackMain(nodeengine.Detect, nodeengine.Build)
}
