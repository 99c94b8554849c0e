// Command main is the kiln/npm-install buildpack (bin/detect and bin/build).
package main

import (
	"github.com/paketo-buildpacks/libpak/v2"

	"kiln.dev/kiln/buildpacks/npm-install/npminstall"
)

func main() {
	libpak.BuildpackMain(npminstall.Detect, npminstall.Build)
}
