package npminstall

import (
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/buildpacks/libcnb/v2"

	"kiln.dev/kiln/buildpacks/internal/sbom"
)

// writeSBOM writes the modules layer's CycloneDX SBOM from the lockfile npm
// keeps of what it installed (node_modules/.package-lock.json), on every
// build, cache hit or not. npm writes no such file when nothing was
// installed: the SBOM is then empty.
func writeSBOM(layer libcnb.Layer) error {
	comps, err := sbom.NPMLock(filepath.Join(layer.Path, "node_modules", ".package-lock.json"))
	if errors.Is(err, fs.ErrNotExist) {
		comps, err = nil, nil
	}
	if err != nil {
		return err
	}
	return sbom.WriteLayer(layer, comps)
}
