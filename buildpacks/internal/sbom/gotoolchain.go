package sbom

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// GoToolchainRecordFile is the file kiln/go-dist writes at the root of every
// GOROOT it installs: which toolchain module it unpacked and the checksums it
// checked. kiln/go-build reads it back from $GOROOT to say, in the app
// image's SBOM, which Go compiled the binary and how it was verified.
const GoToolchainRecordFile = "kiln-toolchain.json"

// GoSumProperty names the CycloneDX property that carries a Go module's
// go.sum hash (h1:, golang.org/x/mod/sumdb/dirhash Hash1 of the module zip's
// file tree): the hash go checked the module against (for the toolchain:
// the one the checksum database, GOSUMDB, lists). A hash of a file tree,
// not of one file, hence a property and not a CycloneDX hash. The same name
// as in the lifecycle's SBOMs Kiln writes (platform/builder).
const GoSumProperty = "golang:go.sum"

// GoToolchain is what kiln/go-dist installed.
type GoToolchain struct {
	// GoVersion is the Go release, e.g. 1.26.8.
	GoVersion string `json:"goVersion"`
	// Module and Version are the proxy's module (golang.org/toolchain,
	// v0.0.1-go1.26.8.linux-amd64).
	Module  string `json:"module"`
	Version string `json:"version"`
	// H1 is the checksum database's hash the download was verified against
	// ("" when GOSUMDB=off: then nothing was verified).
	H1 string `json:"h1,omitempty"`
	// SHA256 is the hex SHA-256 of the module zip the proxy served.
	SHA256 string `json:"sha256"`
}

// WriteGoToolchain records t in goroot.
func WriteGoToolchain(goroot string, t GoToolchain) error {
	b, err := json.MarshalIndent(t, "", "  ")
	if err != nil {
		return err
	}
	p := filepath.Join(goroot, GoToolchainRecordFile)
	if err := os.WriteFile(p, append(b, '\n'), 0o644); err != nil {
		return fmt.Errorf("sbom: writing %s: %w", p, err)
	}
	return nil
}

// ReadGoToolchain reads goroot's record; ok is false when there is none (a
// Go that kiln/go-dist did not install, or one an older Kiln installed).
func ReadGoToolchain(goroot string) (t GoToolchain, ok bool, err error) {
	p := filepath.Join(goroot, GoToolchainRecordFile)
	b, err := readBounded(p)
	if errors.Is(err, fs.ErrNotExist) {
		return t, false, nil
	}
	if err != nil {
		return t, false, fmt.Errorf("sbom: reading %s: %w", p, err)
	}
	if err := json.Unmarshal(b, &t); err != nil {
		return t, false, fmt.Errorf("sbom: %s: %w (remove the toolchain layer or cache entry to reinstall it)", p, err)
	}
	if t.GoVersion == "" || t.Module == "" || t.Version == "" {
		return t, false, fmt.Errorf("sbom: %s: goVersion, module and version are required", p)
	}
	if _, err := hex.DecodeString(t.SHA256); err != nil || len(t.SHA256) != 2*sha256.Size {
		return t, false, fmt.Errorf("sbom: %s: sha256 %q is not a hex SHA-256", p, t.SHA256)
	}
	if t.H1 != "" && !strings.HasPrefix(t.H1, "h1:") {
		return t, false, fmt.Errorf("sbom: %s: h1 %q is not an h1: hash", p, t.H1)
	}
	return t, true, nil
}

// Component is the toolchain as an SBOM component: the Go version, the
// proxy module's purl, the zip's SHA-256 and the checksum database's h1:
// hash (GoSumProperty) when it was verified.
func (t GoToolchain) Component() Component {
	c := Component{Type: "platform", Name: "go", Version: t.GoVersion, PURL: GolangPURL(t.Module, t.Version),
		Hashes: []Hash{{Alg: "SHA-256", Content: t.SHA256}}}
	if t.H1 != "" {
		c.Properties = GoSum(t.H1)
	}
	return c
}
