// Command main is the kiln/java-function buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/java-function/javafunction"
)

func main() {
	libpak.BuildpackMain(javafunction.Detect, javafunction.Build)
}
