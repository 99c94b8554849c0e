package sbom

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// IntegrityHashes turns an npm integrity string (SRI: "sha512-<base64>",
// several separated by spaces) into CycloneDX hashes; unknown algorithms and
// malformed entries are skipped.
func IntegrityHashes(sri string) []Hash {
	algs := map[string]string{"sha1": "SHA-1", "sha256": "SHA-256", "sha384": "SHA-384", "sha512": "SHA-512"}
	var out []Hash
	for _, f := range strings.Fields(sri) {
		alg, b64, ok := strings.Cut(f, "-")
		name := algs[alg]
		if !ok || name == "" {
			continue
		}
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(b) == 0 {
			continue
		}
		out = append(out, Hash{Alg: name, Content: hex.EncodeToString(b)})
	}
	return out
}
