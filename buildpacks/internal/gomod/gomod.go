package gomod

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// File is a parsed go.mod with its location.
type File struct {
	Path string
	*modfile.File
}

// Read parses dir/go.mod.
func Read(dir string) (*File, error) {
	p := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	f, err := modfile.Parse(p, b, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod is not valid (fix the file, `go mod tidy` helps): %w", err)
	}
	if f.Module == nil || f.Module.Mod.Path == "" {
		return nil, fmt.Errorf("%s has no module line: add `module example.com/yourfunction`", p)
	}
	return &File{Path: p, File: f}, nil
}

// GoDirective returns the go directive ("1.26", "1.22.3") or "".
func (f *File) GoDirective() string {
	if f.Go == nil {
		return ""
	}
	return f.Go.Version
}

// ToolchainDirective returns the toolchain directive without its "go" prefix.
func (f *File) ToolchainDirective() string {
	if f.Toolchain == nil {
		return ""
	}
	return strings.TrimPrefix(f.Toolchain.Name, "go")
}

// Requirement returns the version of mod the file requires, or "".
func (f *File) Requirement(mod string) string {
	for _, r := range f.Require {
		if r.Mod.Path == mod {
			return r.Mod.Version
		}
	}
	return ""
}

// AddRequire adds `require mod version` and writes the file back, keeping
// every other line as it was.
func (f *File) AddRequire(mod, version string) error {
	if err := module.Check(mod, version); err != nil {
		return err
	}
	if err := f.File.AddRequire(mod, version); err != nil {
		return err
	}
	f.Cleanup()
	b, err := f.Format()
	if err != nil {
		return err
	}
	return os.WriteFile(f.Path, b, 0o644)
}
