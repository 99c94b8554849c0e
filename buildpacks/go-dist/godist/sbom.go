package godist

import (
	"runtime"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// writeSBOM records the toolchain the build-only go layer holds, as the
// module the proxy served it as (golang.org/toolchain@v0.0.1-go<version>.linux-<arch>).
// The checksum database's h1: hash covers the module's file tree, not one
// file, so it is not a CycloneDX hash and is left out.
func writeSBOM(layer libcnb.Layer, version string) error {
	return sbom.WriteLayer(layer, []sbom.Component{{Type: "platform", Name: "go", Version: version,
		PURL: sbom.GolangPURL("golang.org/toolchain", "v0.0.1-go"+version+".linux-"+runtime.GOARCH)}})
}
