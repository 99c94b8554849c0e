package goproxy

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/mod/sumdb/dirhash"
)

// ToolchainModule is the module path the go command downloads toolchains from.
const ToolchainModule = "golang.org/toolchain"

// ToolchainVersion is the module version of Go release v (e.g. "1.26.8") for
// GOOS=linux and the given GOARCH.
func ToolchainVersion(goVersion, goarch string) string {
	if goarch == "" {
		goarch = runtime.GOARCH
	}
	return "v0.0.1-go" + goVersion + ".linux-" + goarch
}

// FetchToolchain downloads the toolchain zip for goVersion into dir and
// verifies its h1: hash against the checksum database. It returns the zip
// path and the verified hash ("" when GOSUMDB=off).
func (c *Client) FetchToolchain(ctx context.Context, goVersion, goarch, gosumdb, dir string) (string, string, error) {
	mv := ToolchainVersion(goVersion, goarch)
	zipPath := filepath.Join(dir, mv+".zip")
	if _, err := c.Download(ctx, ToolchainModule+"/@v/"+mv+".zip", zipPath); err != nil {
		return "", "", fmt.Errorf("go %s: %w: is %s a Go release (see https://go.dev/dl) that GOPROXY serves?", goVersion, err, goVersion)
	}
	got, err := dirhash.HashZip(zipPath, dirhash.Hash1)
	if err != nil {
		return "", "", fmt.Errorf("hashing %s: %w", zipPath, err)
	}
	lines, err := c.Lookup(ctx, gosumdb, ToolchainModule, mv)
	if err != nil {
		return "", "", err
	}
	if lines == nil {
		return zipPath, "", nil
	}
	want := ToolchainModule + " " + mv + " " + got
	for _, l := range lines {
		if l == want {
			return zipPath, got, nil
		}
	}
	return "", "", fmt.Errorf("SECURITY ERROR: go %s: %s@%s from GOPROXY %s has hash %s, but the checksum database says %q: the proxy served a modified file; do not build with it, point GOPROXY at a proxy you trust", goVersion, ToolchainModule, mv, c.Base, got, strings.Join(lines, "; "))
}

// Trimmed lists GOROOT paths a CGO-free `go build`/`go vet` never reads; they
// are left out of the toolchain layer (240 MB → ~136 MB for go1.26).
var trimmed = []string{"api/", "doc/", "misc/", "test/", "src/cmd/",
	"pkg/tool/linux_amd64/trace", "pkg/tool/linux_arm64/trace",
	"pkg/tool/linux_amd64/pprof", "pkg/tool/linux_arm64/pprof"}

func keep(rel string) bool {
	for _, t := range trimmed {
		if rel == strings.TrimSuffix(t, "/") || strings.HasPrefix(rel, t) {
			return false
		}
	}
	if strings.HasPrefix(rel, "src/") && (strings.HasSuffix(rel, "_test.go") || strings.Contains(rel, "/testdata/")) {
		return false
	}
	return true
}

// ExtractToolchain unpacks a toolchain zip into goroot (the zip's
// golang.org/toolchain@<v>/ prefix removed), restoring the exec bits module
// zips drop and skipping what a build never reads.
func ExtractToolchain(zipPath, goroot string) error {
	zr, err := zip.OpenReader(zipPath)
	if err != nil {
		return fmt.Errorf("opening %s: %w", zipPath, err)
	}
	defer zr.Close()
	for _, f := range zr.File {
		rel, ok := stripModulePrefix(f.Name)
		if !ok || rel == "" || strings.HasSuffix(rel, "/") || !keep(rel) {
			continue
		}
		if strings.Contains(rel, "..") {
			return fmt.Errorf("%s: bad path %q in toolchain zip", zipPath, f.Name)
		}
		mode := os.FileMode(0o644)
		if strings.HasPrefix(rel, "bin/") || strings.HasPrefix(rel, "pkg/tool/") {
			mode = 0o755
		}
		if err := extractFile(f, filepath.Join(goroot, rel), mode); err != nil {
			return err
		}
	}
	return nil
}

func extractFile(f *zip.File, dst string, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	rc, err := f.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, rc); err != nil {
		out.Close()
		return fmt.Errorf("extracting %s: %w", f.Name, err)
	}
	return out.Close()
}

// stripModulePrefix removes "golang.org/toolchain@<version>/" from a zip entry name.
func stripModulePrefix(name string) (string, bool) {
	at := strings.Index(name, "@")
	if at < 0 {
		return "", false
	}
	_, rel, ok := strings.Cut(name[at:], "/")
	return rel, ok
}
