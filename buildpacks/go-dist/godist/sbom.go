package godist

import (
	"runtime"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/goproxy"
	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// writeSBOM records the toolchain the build-only go layer holds: the module
// the proxy served (golang.org/toolchain@v0.0.1-go<version>.linux-<arch>),
// the zip's SHA-256 and the checksum database's h1: hash it was verified
// against, from the record install left in goroot. A GOROOT an older Kiln
// installed has no record: its SBOM then names the version only, and says
// so in the log.
func (b Builder) writeSBOM(layer libcnb.Layer, version, goroot string) error {
	rec, ok, err := sbom.ReadGoToolchain(goroot)
	if err != nil {
		return err
	}
	if !ok {
		b.Logger.Bodyf("%s has no %s (installed by an older Kiln): the SBOM names Go %s without its checksum; remove it to reinstall",
			goroot, sbom.GoToolchainRecordFile, version)
		return sbom.WriteLayer(layer, []sbom.Component{{Type: "platform", Name: "go", Version: version,
			PURL: sbom.GolangPURL(goproxy.ToolchainModule, goproxy.ToolchainVersion(version, runtime.GOARCH))}})
	}
	return sbom.WriteLayer(layer, []sbom.Component{rec.Component()})
}
