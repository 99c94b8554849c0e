package sbom

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Extract writes every file of r under dir at its Path (layers/sbom/... as
// `pack sbom download` lays it out, stack/...), never outside dir.
func (r *Report) Extract(dir string) error {
	root, err := os.OpenRoot(dir)
	if err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if root, err = os.OpenRoot(dir); err != nil {
			return err
		}
	}
	defer root.Close()
	for _, f := range r.Files {
		if _, ok := cleanName(f.Path); !ok {
			return fmt.Errorf("SBOM path %q escapes %s", f.Path, dir)
		}
		if err := root.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return err
		}
		if err := root.WriteFile(f.Path, f.Data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// Component is one entry of a CycloneDX document.
type Component struct {
	Name, Version, PURL string
}

// Components lists a CycloneDX document's components sorted by name.
func Components(cdx []byte) ([]Component, error) {
	var doc struct {
		BOMFormat  string `json:"bomFormat"`
		Components []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
			PURL    string `json:"purl"`
		} `json:"components"`
	}
	if err := json.Unmarshal(cdx, &doc); err != nil {
		return nil, fmt.Errorf("not CycloneDX JSON: %w", err)
	}
	if !strings.EqualFold(doc.BOMFormat, "CycloneDX") {
		return nil, fmt.Errorf("bomFormat %q is not CycloneDX", doc.BOMFormat)
	}
	out := make([]Component, 0, len(doc.Components))
	for _, c := range doc.Components {
		out = append(out, Component{c.Name, c.Version, c.PURL})
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}
