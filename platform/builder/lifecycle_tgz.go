package builder

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// LifecycleVersion is the pinned CNB lifecycle (platform/tools/lifecycle).
const LifecycleVersion = "0.21.14"

// PackVersion is the pinned pack (platform/tools/pack).
const PackVersion = "0.40.9"

// lifecycleTOML declares the APIs lifecycle 0.21.14 supports.
const lifecycleTOML = `[apis]
  [apis.buildpack]
    deprecated = []
    supported = ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12"]
  [apis.platform]
    deprecated = []
    supported = ["0.7", "0.8", "0.9", "0.10", "0.11", "0.12", "0.13", "0.14", "0.15"]

[lifecycle]
  version = "` + LifecycleVersion + `"
`

// phases are the names pack checks for, all served by the one lifecycle binary.
var phases = []string{"analyzer", "builder", "creator", "detector", "exporter", "extender", "rebaser", "restorer"}

// WriteLifecycleTarball packs the lifecycle and launcher binaries in toolDir
// into dst, reproducibly, with their SBOMs (lifecycle.sbom.cdx.json, ...).
func WriteLifecycleTarball(toolDir, dst string) error {
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	mtime := time.Date(1980, 1, 1, 0, 0, 1, 0, time.UTC)
	add := func(h *tar.Header, body []byte) error {
		h.ModTime, h.Size = mtime, int64(len(body))
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		_, err := tw.Write(body)
		return err
	}
	if err := add(&tar.Header{Name: "lifecycle.toml", Mode: 0o644, Typeflag: tar.TypeReg}, []byte(lifecycleTOML)); err != nil {
		return err
	}
	if err := add(&tar.Header{Name: "lifecycle/", Mode: 0o755, Typeflag: tar.TypeDir}, nil); err != nil {
		return err
	}
	for _, bin := range []string{"launcher", "lifecycle"} {
		b, err := os.ReadFile(filepath.Join(toolDir, bin))
		if err != nil {
			return fmt.Errorf("lifecycle tool missing (make tools): %w", err)
		}
		if err := add(&tar.Header{Name: "lifecycle/" + bin, Mode: 0o755, Typeflag: tar.TypeReg}, b); err != nil {
			return err
		}
	}
	// The lifecycle copies these into every image it exports (the launcher's)
	// and warns when they are missing from /cnb/lifecycle.
	for _, bin := range []string{"launcher", "lifecycle"} {
		docs, err := BinarySBOMs(filepath.Join(toolDir, bin), bin, LifecycleVersion)
		if err != nil {
			return fmt.Errorf("SBOM of the %s: %w", bin, err)
		}
		for _, ext := range []string{"sbom.cdx.json", "sbom.spdx.json", "sbom.syft.json"} {
			if err := add(&tar.Header{Name: "lifecycle/" + bin + "." + ext, Mode: 0o644, Typeflag: tar.TypeReg}, docs[ext]); err != nil {
				return err
			}
		}
	}
	for _, p := range phases {
		if err := add(&tar.Header{Name: "lifecycle/" + p, Linkname: "lifecycle", Mode: 0o777, Typeflag: tar.TypeSymlink}, nil); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	if err := gz.Close(); err != nil {
		return err
	}
	return f.Close()
}
