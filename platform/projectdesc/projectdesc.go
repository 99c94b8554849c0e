package projectdesc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/BurntSushi/toml"

	"kiln.dev/kiln/platform/envfile"
	"kiln.dev/kiln/platform/fsutil"
)

// FileName is the descriptor kiln build reads from the source directory.
const FileName = "project.toml"

// MaxFileSize bounds project.toml.
const MaxFileSize = 1 << 20

// Descriptor is what kiln build takes from project.toml.
type Descriptor struct {
	SchemaVersion string
	Builder       string
	Include       []string // gitignore-style: only these go into the build
	Exclude       []string // gitignore-style: these stay out
	Env           []Var    // build-time env, in file order
}

// Var is one build env variable.
type Var struct {
	Name  string `toml:"name"`
	Value string `toml:"value"`
}

type buildTable struct {
	Builder string   `toml:"builder"`
	Include []string `toml:"include"`
	Exclude []string `toml:"exclude"`
	Env     []Var    `toml:"env"`
}

type document struct {
	Meta struct {
		SchemaVersion string `toml:"schema-version"`
	} `toml:"_"`
	IO struct {
		Buildpacks *struct {
			Builder string   `toml:"builder"`
			Include []string `toml:"include"`
			Exclude []string `toml:"exclude"`
			Build   struct {
				Env []Var `toml:"env"`
			} `toml:"build"`
		} `toml:"buildpacks"`
	} `toml:"io"`
	Build *buildTable `toml:"build"` // schema 0.1
}

// Read parses dir/project.toml; found is false when there is none.
func Read(dir string) (d Descriptor, found bool, err error) {
	path := filepath.Join(dir, FileName)
	b, err := fsutil.ReadFileAtMost(path, MaxFileSize)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return Descriptor{}, false, nil
	case errors.Is(err, fsutil.ErrTooLarge):
		return Descriptor{}, true, fmt.Errorf("%s: larger than %d bytes: is it a project descriptor?", path, MaxFileSize)
	case err != nil:
		return Descriptor{}, true, fmt.Errorf("%s: reading: %w", path, err)
	}
	d, err = Parse(path, b)
	return d, true, err
}

// Parse parses project.toml data; name is the file for errors.
func Parse(name string, data []byte) (Descriptor, error) {
	var doc document
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Descriptor{}, fmt.Errorf("%s: %w", name, err)
	}
	d := Descriptor{SchemaVersion: doc.Meta.SchemaVersion}
	envField := "build.env"
	switch d.SchemaVersion {
	case "", "0.1":
		d.SchemaVersion = "0.1"
		if doc.IO.Buildpacks != nil {
			return Descriptor{}, fmt.Errorf("%s: [io.buildpacks] needs [_] schema-version = \"0.2\" (without it the file is read as schema 0.1, whose table is [build])", name)
		}
		if b := doc.Build; b != nil {
			d.Builder, d.Include, d.Exclude, d.Env = b.Builder, b.Include, b.Exclude, b.Env
		}
	case "0.2":
		if doc.Build != nil {
			return Descriptor{}, fmt.Errorf("%s: [build] is schema 0.1; in schema 0.2 it is [io.buildpacks] (include, exclude, builder) and [[io.buildpacks.build.env]]", name)
		}
		envField = "io.buildpacks.build.env"
		if b := doc.IO.Buildpacks; b != nil {
			d.Builder, d.Include, d.Exclude, d.Env = b.Builder, b.Include, b.Exclude, b.Build.Env
		}
	default:
		return Descriptor{}, fmt.Errorf("%s: _.schema-version %q: kiln reads 0.1 and 0.2", name, d.SchemaVersion)
	}
	if len(d.Include) > 0 && len(d.Exclude) > 0 {
		table := "io.buildpacks"
		if d.SchemaVersion == "0.1" {
			table = "build"
		}
		return Descriptor{}, fmt.Errorf("%s: %s.include and %s.exclude are both set: the spec allows one (list what goes in, or what stays out)", name, table, table)
	}
	for i, v := range d.Env {
		if !envfile.ValidName(v.Name) {
			return Descriptor{}, fmt.Errorf("%s: %s[%d].name %q: want a variable name (a letter or _, then letters, digits or _)", name, envField, i, v.Name)
		}
	}
	return d, nil
}
