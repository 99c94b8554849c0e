package sbom

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// PipReportFile is where kiln/python-function has pip write its installation
// report (pip install --report, pip 22.2+) in the packages layer.
const PipReportFile = "pip-report.json"

// PipArchiveHashes reads a pip installation report: the SHA-256 of the
// archive (wheel or sdist) each distribution was installed from, keyed by
// its PEP 503 name and version. A missing report gives none.
func PipArchiveHashes(path string) (map[string]Hash, error) {
	b, err := readBounded(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("sbom: reading %s: %w", path, err)
	}
	var report struct {
		Install []struct {
			Metadata struct {
				Name    string `json:"name"`
				Version string `json:"version"`
			} `json:"metadata"`
			DownloadInfo struct {
				ArchiveInfo struct {
					Hash   string            `json:"hash"`
					Hashes map[string]string `json:"hashes"`
				} `json:"archive_info"`
			} `json:"download_info"`
		} `json:"install"`
	}
	if err := json.Unmarshal(b, &report); err != nil {
		return nil, fmt.Errorf("sbom: %s is not a pip installation report: %w", path, err)
	}
	out := map[string]Hash{}
	for _, in := range report.Install {
		ai := in.DownloadInfo.ArchiveInfo
		sum := ai.Hashes["sha256"]
		if alg, v, ok := strings.Cut(ai.Hash, "="); sum == "" && ok && alg == "sha256" {
			sum = v
		}
		if d, err := hex.DecodeString(sum); err != nil || len(d) != 32 {
			continue // no archive hash (a local directory, a VCS checkout) or a malformed one
		}
		out[pipKey(in.Metadata.Name, in.Metadata.Version)] = Hash{Alg: "SHA-256", Content: strings.ToLower(sum)}
	}
	return out, nil
}

func pipKey(name, version string) string {
	return NormalizePyPI(name) + "@" + strings.TrimSpace(version)
}
