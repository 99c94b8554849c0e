package devproxy

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"

	"kiln.dev/kiln/buildpacks/go-function/gofunction"
)

// Proxy is a written module proxy and what the go command needs to use it.
type Proxy struct {
	Dir     string // the file:// proxy root
	Module  string // kiln.dev/functions-framework-go
	Version string // the release users require, e.g. v0.1.0
}

// Env is the environment that puts the proxy ahead of upstream (the user's
// GOPROXY, or the go command's default) and skips the public checksum
// database for the framework alone: kiln.dev modules are not published there,
// and go.sum still pins their hashes.
func (p Proxy) Env(upstream string) []string {
	if upstream == "" || upstream == "off" {
		upstream = "https://proxy.golang.org,direct"
	}
	return []string{
		"GOPROXY=file://" + p.Dir + "," + upstream,
		"GONOSUMDB=" + strings.SplitN(p.Module, "/", 2)[0],
	}
}

// Write packages the Go framework of the Kiln source tree at src into a
// module proxy at dir, at the release the kiln/go-function buildpack carries
// (its buildpack.toml's framework-version), so what an IDE resolves is what
// a build injects.
func Write(src, dir string) (Proxy, error) {
	release, err := FrameworkRelease(src)
	if err != nil {
		return Proxy{}, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Proxy{}, err
	}
	fw := filepath.Join(src, "framework-templates", "go")
	if _, err := gofunction.WriteCarriedProxy(fw, abs, release); err != nil {
		return Proxy{}, fmt.Errorf("writing the framework proxy at %s: %w", abs, err)
	}
	return Proxy{Dir: abs, Module: gofunction.FrameworkModule, Version: release}, nil
}

// descriptorPath is where the release is stated, relative to the source tree.
const descriptorPath = "buildpacks/go-function/buildpack.toml"

// FrameworkRelease reads the Go framework version kiln/go-function carries.
func FrameworkRelease(src string) (string, error) {
	p := filepath.Join(src, descriptorPath)
	var d struct {
		Metadata struct {
			FrameworkVersion string `toml:"framework-version"`
		} `toml:"metadata"`
	}
	if _, err := toml.DecodeFile(p, &d); err != nil {
		return "", fmt.Errorf("%s: %w (run kiln from a Kiln source tree, or pass its path)", p, err)
	}
	v := d.Metadata.FrameworkVersion
	if v == "" || strings.ContainsAny(v, "/ \t\n") {
		return "", fmt.Errorf("%s: [metadata] framework-version is %q: want a version such as 0.1.0", p, v)
	}
	return "v" + strings.TrimPrefix(v, "v"), nil
}

// SumLines are the go.sum lines of the framework release in the proxy: the
// hashes a build injects, so a module carrying them needs no checksum database.
func (p Proxy) SumLines() ([]string, error) {
	return gofunction.CarriedProxy{Dir: p.Dir, Version: p.Version}.SumLines()
}

// Locate returns the first candidate directory that is a Kiln source tree
// (one holding buildpacks/go-function/buildpack.toml); empty candidates are
// skipped.
func Locate(candidates ...string) (string, error) {
	var tried []string
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if _, err := os.Stat(filepath.Join(c, descriptorPath)); err == nil {
			return c, nil
		}
		tried = append(tried, c)
	}
	return "", fmt.Errorf("no Kiln source tree (with %s) at %s: run kiln from a Kiln checkout or pass --source DIR", descriptorPath, strings.Join(tried, ", "))
}
