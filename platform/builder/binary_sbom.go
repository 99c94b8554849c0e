package builder

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
)

// module is one Go module compiled into a binary.
type module struct {
	Path, Version, Sum string
}

// binaryModules reads the Go modules a binary was built from (its build
// info), main module first, then dependencies sorted, with the binary's
// SHA-256 and Go version.
func binaryModules(path string) (mods []module, goVersion, sum string, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, "", "", err
	}
	info, err := buildinfo.Read(bytes.NewReader(b))
	if err != nil {
		return nil, "", "", fmt.Errorf("%s: no Go build info: %w", path, err)
	}
	h := sha256.Sum256(b)
	for _, d := range info.Deps {
		if d.Replace != nil {
			d = d.Replace
		}
		mods = append(mods, module{d.Path, d.Version, d.Sum})
	}
	sort.Slice(mods, func(i, j int) bool { return mods[i].Path < mods[j].Path })
	if info.Main.Path != "" {
		v := info.Main.Version
		if v == "(devel)" {
			v = "" // built from a checkout: no module version to claim
		}
		mods = append([]module{{info.Main.Path, v, info.Main.Sum}}, mods...)
	}
	return mods, info.GoVersion, hex.EncodeToString(h[:]), nil
}

func purl(m module) string { return "pkg:golang/" + m.Path + "@" + m.Version }

// BinarySBOMs renders the SBOM of a Go binary named component (the
// lifecycle, the launcher) in the three formats the lifecycle copies into
// images: file extension ("sbom.cdx.json", "sbom.spdx.json",
// "sbom.syft.json") → document. Every module the binary was compiled from is
// listed with its version and go.sum hash; the binary itself with its
// SHA-256. No timestamps: the same binary gives the same bytes.
func BinarySBOMs(path, component, version string) (map[string][]byte, error) {
	mods, goVersion, sum, err := binaryModules(path)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	type hash struct {
		Alg     string `json:"alg"`
		Content string `json:"content"`
	}
	type prop struct {
		Name  string `json:"name"`
		Value string `json:"value"`
	}
	type comp struct {
		BOMRef     string `json:"bom-ref,omitempty"`
		Type       string `json:"type"`
		Name       string `json:"name"`
		Version    string `json:"version,omitempty"`
		PURL       string `json:"purl,omitempty"`
		Hashes     []hash `json:"hashes,omitempty"`
		Properties []prop `json:"properties,omitempty"`
	}
	cdx := map[string]any{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1,
		"metadata": map[string]any{"component": comp{Type: "application", Name: component, Version: version,
			Hashes: []hash{{"SHA-256", sum}}, Properties: []prop{{"golang:version", goVersion}}}}}
	var comps []comp
	for _, m := range mods {
		comps = append(comps, comp{BOMRef: purl(m), Type: "library", Name: m.Path, Version: m.Version, PURL: purl(m), Properties: []prop{{"golang:go.sum", m.Sum}}})
	}
	cdx["components"] = comps
	if out["sbom.cdx.json"], err = indentJSON(cdx); err != nil {
		return nil, err
	}

	type ref struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	}
	type pkg struct {
		ID               string `json:"SPDXID"`
		Name             string `json:"name"`
		Version          string `json:"versionInfo"`
		DownloadLocation string `json:"downloadLocation"`
		FilesAnalyzed    bool   `json:"filesAnalyzed"`
		ExternalRefs     []ref  `json:"externalRefs,omitempty"`
	}
	var pkgs []pkg
	for i, m := range mods {
		pkgs = append(pkgs, pkg{fmt.Sprintf("SPDXRef-Package-go-%d", i), m.Path, m.Version, "NOASSERTION", false, []ref{{"PACKAGE-MANAGER", "purl", purl(m)}}})
	}
	spdx := map[string]any{"spdxVersion": "SPDX-2.3", "dataLicense": "CC0-1.0", "SPDXID": "SPDXRef-DOCUMENT",
		"name": component + "-" + version, "documentNamespace": "https://kiln.dev/spdx/" + component + "/" + version + "-" + sum[:16],
		"creationInfo": map[string]any{"created": "1980-01-01T00:00:01Z", "creators": []string{"Tool: kiln"}}, "packages": pkgs}
	if out["sbom.spdx.json"], err = indentJSON(spdx); err != nil {
		return nil, err
	}

	type artifact struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Type     string `json:"type"`
		Language string `json:"language"`
		PURL     string `json:"purl"`
	}
	var arts []artifact
	for _, m := range mods {
		arts = append(arts, artifact{strings.ReplaceAll(purl(m), "/", "_"), m.Path, m.Version, "go-module", "go", purl(m)})
	}
	syft := map[string]any{"artifacts": arts, "artifactRelationships": []any{},
		"source":     map[string]any{"type": "file", "target": component},
		"descriptor": map[string]any{"name": "kiln", "version": version},
		"schema":     map[string]any{"version": "16.0.0", "url": "https://raw.githubusercontent.com/anchore/syft/main/schema/json/schema-16.0.0.json"}}
	if out["sbom.syft.json"], err = indentJSON(syft); err != nil {
		return nil, err
	}
	return out, nil
}

func indentJSON(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}
