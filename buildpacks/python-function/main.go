// Command main is the kiln/python-function buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/python-function/pythonfunction"
)

func main() {
	libpak.BuildpackMain(pythonfunction.Detect, pythonfunction.Build)
}
