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

// Read parses dir/go.mod. A missing file is returned as is (os.IsNotExist
// tells it); every other error names the file, the line and the fix.
func Read(dir string) (*File, error) {
	p := filepath.Join(dir, "go.mod")
	b, err := os.ReadFile(p)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, err
		}
		return nil, fmt.Errorf("go.mod: reading %s: %w", p, err)
	}
	return Parse(p, b)
}

// Parse parses go.mod content; p is the file's path, for messages.
func Parse(p string, b []byte) (*File, error) {
	f, err := modfile.Parse(p, b, nil)
	if err != nil {
		return nil, fmt.Errorf("go.mod is not valid: %w; %s", err, hint(err.Error()))
	}
	if f.Module == nil || f.Module.Mod.Path == "" {
		return nil, fmt.Errorf("%s has no module line: add `module example.com/yourfunction` at the top", p)
	}
	if err := module.CheckImportPath(f.Module.Mod.Path); err != nil {
		return nil, fmt.Errorf("%s: module path %q is not a valid import path (%v): write it like `module example.com/yourfunction`", p, f.Module.Mod.Path, err)
	}
	return &File{Path: p, File: f}, nil
}

// hint says how to fix what modfile reported.
func hint(msg string) string {
	switch {
	case strings.Contains(msg, "invalid go version"):
		return "write the go line as a Go release, e.g. `go 1.26` or `go 1.26.0`"
	case strings.Contains(msg, "invalid toolchain version"):
		return "write the toolchain line as `toolchain go1.26.0` (or `toolchain default`), or remove it"
	case strings.Contains(msg, "usage: module"):
		return "write the module line as `module example.com/yourfunction`"
	}
	return "fix the line named (`go mod edit -fmt` checks the whole file)"
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
	b, err := f.withRequire(mod, version)
	if err != nil {
		return err
	}
	return os.WriteFile(f.Path, b, 0o644)
}

// withRequire adds the requirement in memory and returns the formatted file.
func (f *File) withRequire(mod, version string) ([]byte, error) {
	if err := module.Check(mod, version); err != nil {
		return nil, fmt.Errorf("%s: adding require %s %s: %w", f.Path, mod, version, err)
	}
	if err := f.File.AddRequire(mod, version); err != nil {
		return nil, fmt.Errorf("%s: adding require %s %s: %w", f.Path, mod, version, err)
	}
	f.Cleanup()
	return f.Format()
}
