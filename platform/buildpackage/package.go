package buildpackage

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/BurntSushi/toml"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

// Names are the buildpacks under buildpacks/ that get packaged.
var Names = []string{"go-dist", "go-function", "go-build", "node-engine", "npm-install", "node-function", "python-function", "java-function"}

// Packaged is one packaged buildpack.
type Packaged struct {
	ID, Version, Dir string
}

type descriptor struct {
	Buildpack struct {
		ID      string `toml:"id"`
		Version string `toml:"version"`
	} `toml:"buildpack"`
	Metadata map[string]interface{} `toml:"metadata"`
}

// Options says how to package: for which architecture and under which
// version.
type Options struct {
	// Arch is the GOARCH the buildpacks are compiled for ("" = the host's).
	Arch string
	// Version, when set, replaces every buildpack's own version (the
	// [buildpack] version of its buildpack.toml): a release stamps its version.
	Version string
}

// Package builds every buildpack from the Kiln source tree src into out,
// for the host's architecture, each under its own version.
func Package(src, out string, progress io.Writer) ([]Packaged, error) {
	return PackageWith(src, out, Options{}, progress)
}

// PackageWith builds every buildpack from src into out as opts says.
func PackageWith(src, out string, opts Options, progress io.Writer) ([]Packaged, error) {
	if opts.Arch == "" {
		opts.Arch = runtime.GOARCH
	}
	var done []Packaged
	for _, n := range Names {
		p, err := packageOne(src, n, out, opts, progress)
		if err != nil {
			return nil, fmt.Errorf("packaging buildpacks/%s: %w", n, err)
		}
		done = append(done, p)
	}
	return done, nil
}

func packageOne(src, name, out string, opts Options, progress io.Writer) (Packaged, error) {
	bpSrc := filepath.Join(src, "buildpacks", name)
	var d descriptor
	if _, err := toml.DecodeFile(filepath.Join(bpSrc, "buildpack.toml"), &d); err != nil {
		return Packaged{}, err
	}
	descriptorText, err := os.ReadFile(filepath.Join(bpSrc, "buildpack.toml"))
	if err != nil {
		return Packaged{}, err
	}
	if opts.Version != "" {
		if descriptorText, err = StampVersion(descriptorText, opts.Version); err != nil {
			return Packaged{}, fmt.Errorf("%s: %w", filepath.Join(bpSrc, "buildpack.toml"), err)
		}
		d.Buildpack.Version = opts.Version
	}
	// One version per buildpack in out: builders name them by version.
	idDir := filepath.Join(out, strings.ReplaceAll(d.Buildpack.ID, "/", "_"))
	dir := filepath.Join(idDir, d.Buildpack.Version)
	if err := os.RemoveAll(idDir); err != nil {
		return Packaged{}, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		return Packaged{}, err
	}
	fmt.Fprintf(progress, "  %s@%s (linux/%s) -> %s\n", d.Buildpack.ID, d.Buildpack.Version, opts.Arch, dir)
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(dir, "bin", "main"), "./buildpacks/"+name)
	cmd.Dir = src
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+opts.Arch)
	if outb, err := cmd.CombinedOutput(); err != nil {
		return Packaged{}, fmt.Errorf("go build: %v\n%s", err, outb)
	}
	for _, link := range []string{"detect", "build"} {
		if err := os.Symlink("main", filepath.Join(dir, "bin", link)); err != nil {
			return Packaged{}, err
		}
	}
	if opts.Arch != "amd64" {
		if descriptorText, err = RetargetArch(descriptorText, opts.Arch); err != nil {
			return Packaged{}, fmt.Errorf("%s: %w", filepath.Join(bpSrc, "buildpack.toml"), err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "buildpack.toml"), descriptorText, 0o644); err != nil {
		return Packaged{}, err
	}
	if fwDir, ok := d.Metadata["framework-dir"].(string); ok {
		// A framework the buildpack copies into apps as files.
		if err := copyFramework(filepath.Join(src, "framework-templates", fwDir), filepath.Join(dir, "framework")); err != nil {
			return Packaged{}, err
		}
	} else if v, ok := d.Metadata["framework-version"].(string); ok {
		// The Go framework, served to the go command as a module proxy.
		fw := filepath.Join(src, "framework-templates", "go")
		if _, err := gofunction.WriteCarriedProxy(fw, filepath.Join(dir, "goproxy"), "v"+v); err != nil {
			return Packaged{}, err
		}
	}
	return Packaged{ID: d.Buildpack.ID, Version: d.Buildpack.Version, Dir: dir}, nil
}

// copyFramework copies a framework's runtime files (not its tests).
func copyFramework(src, dst string) error {
	return filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if info.IsDir() && (rel == "test" || rel == "tests" || rel == filepath.Join("src", "test") || rel == "node_modules" || rel == "__pycache__") {
			return filepath.SkipDir
		}
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, info.Mode().Perm())
	})
}
