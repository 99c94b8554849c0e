package sbom

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/buildpacks/libcnb/v2"
)

// MediaType is the sbom-formats entry for CycloneDX JSON in buildpack.toml.
const MediaType = "application/vnd.cyclonedx+json"

// Hash is one checksum of a component (CycloneDX alg names: SHA-256, SHA-512).
type Hash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

// Property is a CycloneDX name/value pair, for facts that have no field
// (Kiln's names start with "kiln:").
type Property struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Component is one thing a layer holds.
type Component struct {
	// Type is library unless set (application, framework, platform).
	Type       string     `json:"type"`
	Group      string     `json:"group,omitempty"`
	Name       string     `json:"name"`
	Version    string     `json:"version,omitempty"`
	PURL       string     `json:"purl,omitempty"`
	Hashes     []Hash     `json:"hashes,omitempty"`
	Properties []Property `json:"properties,omitempty"`
	Pedigree   *Pedigree  `json:"pedigree,omitempty"`
}

type document struct {
	BOMFormat   string      `json:"bomFormat"`
	SpecVersion string      `json:"specVersion"`
	Version     int         `json:"version"`
	Components  []Component `json:"components"`
}

// Marshal renders comps as a CycloneDX 1.5 JSON document: sorted by purl,
// then name and version, duplicates dropped, no timestamp.
func Marshal(comps []Component) ([]byte, error) {
	out := make([]Component, 0, len(comps))
	for _, c := range comps {
		if c.Name == "" {
			return nil, fmt.Errorf("sbom: a component without a name (purl %q)", c.PURL)
		}
		if c.Type == "" {
			c.Type = "library"
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.PURL != b.PURL {
			return a.PURL < b.PURL
		}
		if a.Group+"/"+a.Name != b.Group+"/"+b.Name {
			return a.Group+"/"+a.Name < b.Group+"/"+b.Name
		}
		return a.Version < b.Version
	})
	dedup := out[:0]
	for i, c := range out {
		if i > 0 && sameComponent(out[i-1], c) {
			continue
		}
		dedup = append(dedup, c)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(document{BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1, Components: dedup}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sameComponent(a, b Component) bool {
	return a.PURL == b.PURL && a.Group == b.Group && a.Name == b.Name && a.Version == b.Version
}

// WriteLayer writes comps as layer's CycloneDX SBOM
// (<layers>/<name>.sbom.cdx.json), which the lifecycle puts in the image's
// SBOM layer under sbom/launch/<buildpack>/<name>/sbom.cdx.json for a launch
// layer and sbom/cache/... for a cache layer.
func WriteLayer(layer libcnb.Layer, comps []Component) error {
	return Write(layer.SBOMPath(libcnb.CycloneDXJSON), comps)
}

// Write writes comps as a CycloneDX JSON document at path.
func Write(path string, comps []Component) error {
	b, err := Marshal(comps)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("sbom: writing %s: %w", path, err)
	}
	return nil
}
