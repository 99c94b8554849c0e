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
	// Checksum is one of its hashes ("SHA-256:<hex>", the SHA-256 when
	// there is one), "" without any.
	Checksum string
	// H1 is the go.sum-style h1: hash of its files (the golang:go.sum or
	// kiln:h1 property Kiln's buildpacks and lifecycle SBOMs write).
	H1 string
	// From are its pedigree's ancestors: what it was made from (the
	// jlink'd runtime's JDK packages).
	From []Component
}

// cdxComponent is what Components reads of a CycloneDX component.
type cdxComponent struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	PURL    string `json:"purl"`
	Hashes  []struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	} `json:"hashes"`
	Properties []struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"properties"`
	Pedigree struct {
		Ancestors []cdxComponent `json:"ancestors"`
	} `json:"pedigree"`
}

func (c cdxComponent) component() Component {
	comp := Component{Name: c.Name, Version: c.Version, PURL: c.PURL}
	for _, h := range c.Hashes {
		if comp.Checksum == "" || strings.EqualFold(h.Alg, "SHA-256") {
			comp.Checksum = h.Alg + ":" + h.Content
		}
	}
	for _, p := range c.Properties {
		if h1Properties[p.Name] && strings.HasPrefix(p.Value, "h1:") {
			comp.H1 = p.Value
		}
	}
	for _, a := range c.Pedigree.Ancestors {
		comp.From = append(comp.From, a.component())
	}
	return comp
}

// h1Properties are the properties whose value is a go.sum-style h1: hash.
var h1Properties = map[string]bool{"golang:go.sum": true, "kiln:h1": true}

// Components lists a CycloneDX document's components sorted by name.
func Components(cdx []byte) ([]Component, error) {
	var doc struct {
		BOMFormat  string         `json:"bomFormat"`
		Components []cdxComponent `json:"components"`
	}
	if err := json.Unmarshal(cdx, &doc); err != nil {
		return nil, fmt.Errorf("not CycloneDX JSON: %w", err)
	}
	if !strings.EqualFold(doc.BOMFormat, "CycloneDX") {
		return nil, fmt.Errorf("bomFormat %q is not CycloneDX", doc.BOMFormat)
	}
	out := make([]Component, 0, len(doc.Components))
	for _, c := range doc.Components {
		out = append(out, c.component())
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Name != out[j].Name {
			return out[i].Name < out[j].Name
		}
		return out[i].Version < out[j].Version
	})
	return out, nil
}
