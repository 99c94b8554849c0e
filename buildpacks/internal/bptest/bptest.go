package bptest

import (
	"bytes"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"
	"github.com/buildpacks/libcnb/v2"
)

// PersistLayers writes <layers>/<name>.toml for each result layer, as the
// lifecycle does after a build, so the next build finds them restored.
func PersistLayers(layersDir string, result libcnb.BuildResult) error {
	for _, l := range result.Layers {
		var buf bytes.Buffer
		if err := toml.NewEncoder(&buf).Encode(struct {
			Types    libcnb.LayerTypes      `toml:"types"`
			Metadata map[string]interface{} `toml:"metadata"`
		}{l.LayerTypes, l.Metadata}); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(layersDir, l.Name+".toml"), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}
