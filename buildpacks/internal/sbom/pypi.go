package sbom

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"
)

// PythonDists lists the distributions pip installed into dir (a --target or
// site-packages directory) from each *.dist-info/METADATA's Name and
// Version, each with the SHA-256 of the archive it came from when archives
// (PipArchiveHashes) knows it.
func PythonDists(dir string, archives map[string]Hash) ([]Component, error) {
	infos, err := filepath.Glob(filepath.Join(dir, "*.dist-info"))
	if err != nil {
		return nil, err
	}
	var comps []Component
	for _, info := range infos {
		md := filepath.Join(info, "METADATA")
		b, err := readBounded(md)
		if err != nil {
			return nil, fmt.Errorf("sbom: reading %s: %w", md, err)
		}
		name, version := metadataFields(b)
		if name == "" || version == "" {
			return nil, fmt.Errorf("sbom: %s has no Name or Version header", md)
		}
		c := Component{Name: name, Version: version, PURL: PyPIPURL(name, version)}
		if h, ok := archives[pipKey(name, version)]; ok {
			c.Hashes = []Hash{h}
		}
		comps = append(comps, c)
	}
	return comps, nil
}

// metadataFields reads Name and Version from a core metadata file's headers
// (they end at the first blank line).
func metadataFields(b []byte) (name, version string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		switch strings.ToLower(k) {
		case "name":
			name = strings.TrimSpace(v)
		case "version":
			version = strings.TrimSpace(v)
		}
	}
	return name, version
}
