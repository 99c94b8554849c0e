package gofunction

import (
	"path/filepath"
	"strings"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// writeSBOM writes the function layer's SBOM: the functions framework this
// buildpack wired into the build (the binary kiln/go-build compiles holds
// it; go-build's SBOM lists it again among every module). Kiln's carried
// framework comes with its module zip's SHA-256 and go.sum h1, each
// compatibility module with the h1 of the copy in the workspace; a
// framework from the user's go.mod (pinned, vendored or native) with its
// version only: go-build's SBOM has its go.sum hash.
func writeSBOM(layer libcnb.Layer, app string, p servingPlan, module, version string, carried CarriedProxy) error {
	fw := sbom.Framework(module, version, sbom.GolangPURL(module, version), nil)
	if carried.Version != "" && module == FrameworkModule && version == carried.Version {
		lines, err := carried.SumLines()
		if err != nil {
			return err
		}
		h, err := sbom.FileHash(carried.path(".zip"))
		if err != nil {
			return err
		}
		fw = sbom.Framework(module, version, fw.PURL, sbom.GoSum(strings.Fields(lines[0])[2]), h)
	}
	comps := []sbom.Component{fw}
	for _, c := range p.compats {
		h1, err := sbom.TreeH1(filepath.Join(app, "functions.local", "compat", c.Name))
		if err != nil {
			return err
		}
		// Kiln's stand-in, not the upstream module: no purl to match it by.
		comps = append(comps, sbom.Framework("Kiln compatibility module for "+c.Module, version, "", sbom.TreeHash(h1)))
	}
	return sbom.WriteLayer(layer, comps)
}
