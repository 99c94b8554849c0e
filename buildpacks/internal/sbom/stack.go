package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strings"
)

// StackSBOM is where Kiln's stack images carry the CycloneDX list of their
// Debian packages, each with its version, purl and the .deb's SHA-256.
const StackSBOM = "/cnb/stack/sbom.cdx.json"

// Pedigree says what a component was made from (CycloneDX
// component.pedigree): the jlink'd runtime from the JDK's Debian packages.
type Pedigree struct {
	Ancestors []Component `json:"ancestors"`
}

// StackPackages lists the packages of the stack SBOM at path whose names
// start with prefix, sorted by name, with their versions, purls and hashes.
// ok is false when there is no such file (not Kiln's stack).
func StackPackages(path, prefix string) (pkgs []Component, ok bool, err error) {
	b, err := readBounded(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sbom: reading %s: %w", path, err)
	}
	var doc struct {
		BOMFormat  string      `json:"bomFormat"`
		Components []Component `json:"components"`
	}
	if err := json.Unmarshal(b, &doc); err != nil || doc.BOMFormat != "CycloneDX" {
		return nil, false, fmt.Errorf("sbom: %s is not a CycloneDX document (%v)", path, err)
	}
	for _, c := range doc.Components {
		if strings.HasPrefix(c.Name, prefix) && c.Name != "" {
			pkgs = append(pkgs, Component{Type: "library", Name: c.Name, Version: c.Version, PURL: c.PURL, Hashes: c.Hashes})
		}
	}
	sort.Slice(pkgs, func(i, j int) bool { return pkgs[i].Name < pkgs[j].Name })
	return pkgs, true, nil
}
