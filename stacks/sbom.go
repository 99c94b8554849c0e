package stacks

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
)

// SBOM paths inside every stack image (and so inside every app image built on
// a run image: the lifecycle keeps the run image's layers). `kiln sbom`
// reads them from there; LabelSBOM names the CycloneDX one.
const (
	SBOMCycloneDX = "cnb/stack/sbom.cdx.json"
	SBOMSPDX      = "cnb/stack/sbom.spdx.json"
	LabelSBOM     = "dev.kiln.stack.sbom"
)

// purl is the package URL of a Debian package of this stack.
func (s *Stack) purl(p Pin, arch string) string {
	return fmt.Sprintf("pkg:deb/%s/%s@%s?arch=%s&distro=%s-%s", s.Distro, p.Name, url.PathEscape(p.Version), arch, s.Distro, s.DistroVersion)
}

// sortedPins is pins by name (stack.toml order is not meaningful to a reader).
func sortedPins(pins []Pin) []Pin {
	out := append([]Pin(nil), pins...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

type cdxHash struct {
	Alg     string `json:"alg"`
	Content string `json:"content"`
}

type cdxComponent struct {
	BOMRef  string    `json:"bom-ref,omitempty"`
	Type    string    `json:"type"`
	Name    string    `json:"name"`
	Version string    `json:"version,omitempty"`
	PURL    string    `json:"purl,omitempty"`
	Hashes  []cdxHash `json:"hashes,omitempty"`
}

// CycloneDX is a CycloneDX 1.5 JSON document listing the Debian packages of
// image name for arch with their versions, package URLs and the SHA-256 of
// the .deb each came from. It has no timestamp and a serial number derived
// from its content, so the same pins give the same bytes.
func (s *Stack) CycloneDX(name, arch string, pins []Pin) ([]byte, error) {
	doc := struct {
		BOMFormat   string `json:"bomFormat"`
		SpecVersion string `json:"specVersion"`
		Serial      string `json:"serialNumber"`
		Version     int    `json:"version"`
		Metadata    struct {
			Component cdxComponent `json:"component"`
			Tools     struct {
				Components []cdxComponent `json:"components"`
			} `json:"tools"`
		} `json:"metadata"`
		Components []cdxComponent `json:"components"`
	}{BOMFormat: "CycloneDX", SpecVersion: "1.5", Version: 1}
	doc.Metadata.Component = cdxComponent{Type: "operating-system", Name: s.ID + "/" + name, Version: s.Distro + "-" + s.DistroVersion + "-" + arch}
	doc.Metadata.Tools.Components = []cdxComponent{{Type: "application", Name: "kiln stack build"}}
	for _, p := range sortedPins(pins) {
		purl := s.purl(p, arch)
		doc.Components = append(doc.Components, cdxComponent{BOMRef: purl, Type: "library", Name: p.Name, Version: p.Version, PURL: purl,
			Hashes: []cdxHash{{Alg: "SHA-256", Content: p.SHA256}}})
	}
	doc.Serial = "urn:uuid:" + contentUUID(doc.Components, name, arch)
	return marshal(doc)
}

type spdxPackage struct {
	ID               string `json:"SPDXID"`
	Name             string `json:"name"`
	Version          string `json:"versionInfo"`
	DownloadLocation string `json:"downloadLocation"`
	FilesAnalyzed    bool   `json:"filesAnalyzed"`
	Checksums        []struct {
		Algorithm string `json:"algorithm"`
		Value     string `json:"checksumValue"`
	} `json:"checksums"`
	ExternalRefs []struct {
		Category string `json:"referenceCategory"`
		Type     string `json:"referenceType"`
		Locator  string `json:"referenceLocator"`
	} `json:"externalRefs"`
}

// SPDX is the same package list as an SPDX 2.3 JSON document (created at
// the stack's fixed Epoch, namespace derived from the content).
func (s *Stack) SPDX(name, arch string, pins []Pin) ([]byte, error) {
	type creation struct {
		Created  string   `json:"created"`
		Creators []string `json:"creators"`
	}
	doc := struct {
		Version   string        `json:"spdxVersion"`
		License   string        `json:"dataLicense"`
		ID        string        `json:"SPDXID"`
		Name      string        `json:"name"`
		Namespace string        `json:"documentNamespace"`
		Creation  creation      `json:"creationInfo"`
		Packages  []spdxPackage `json:"packages"`
	}{Version: "SPDX-2.3", License: "CC0-1.0", ID: "SPDXRef-DOCUMENT", Name: s.ID + "/" + name + "-" + arch,
		Creation: creation{Created: Epoch.Format("2006-01-02T15:04:05Z"), Creators: []string{"Tool: kiln-stack-build"}}}
	for i, p := range sortedPins(pins) {
		sp := spdxPackage{ID: fmt.Sprintf("SPDXRef-Package-deb-%d", i), Name: p.Name, Version: p.Version, DownloadLocation: "NOASSERTION"}
		sp.Checksums = append(sp.Checksums, struct {
			Algorithm string `json:"algorithm"`
			Value     string `json:"checksumValue"`
		}{"SHA256", p.SHA256})
		sp.ExternalRefs = append(sp.ExternalRefs, struct {
			Category string `json:"referenceCategory"`
			Type     string `json:"referenceType"`
			Locator  string `json:"referenceLocator"`
		}{"PACKAGE-MANAGER", "purl", s.purl(p, arch)})
		doc.Packages = append(doc.Packages, sp)
	}
	doc.Namespace = "https://kiln.dev/spdx/stacks/" + url.PathEscape(doc.Name) + "-" + contentUUID(doc.Packages, name, arch)
	return marshal(doc)
}

// marshal is indented JSON without HTML escaping (package URLs keep their &).
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	err := enc.Encode(v)
	return b.Bytes(), err
}

// contentUUID is a version-4-shaped UUID from the SHA-256 of v and the image.
func contentUUID(v any, name, arch string) string {
	b, _ := json.Marshal(v)
	h := sha256.Sum256(append(b, []byte("\x00"+name+"\x00"+arch)...))
	h[6] = h[6]&0x0f | 0x40
	h[8] = h[8]&0x3f | 0x80
	x := hex.EncodeToString(h[:16])
	return x[0:8] + "-" + x[8:12] + "-" + x[12:16] + "-" + x[16:20] + "-" + x[20:32]
}
