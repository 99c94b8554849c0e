package nodeapp

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// FrameworkEnv chooses who serves a function written against Google's or
// OpenFunction's framework: unset (or "kiln") means Kiln's framework with its
// compatibility layer; "native" means the framework the app depends on.
const FrameworkEnv = "BP_FUNCTION_FRAMEWORK"

// Framework modes.
const (
	ModeKiln   = "kiln"
	ModeNative = "native"
)

// ForeignFramework is a functions framework Kiln stands in for.
type ForeignFramework struct {
	Package string // npm name
	Kind    string // KILN_FUNCTION_COMPAT value
}

// ForeignFrameworks are the frameworks Kiln's compatibility layer serves, in
// the order they are reported.
var ForeignFrameworks = []ForeignFramework{
	{"@google-cloud/functions-framework", "google"},
	{"@openfunction/functions-framework", "openfunction"},
}

// FrameworkMode reads BP_FUNCTION_FRAMEWORK; an unknown value is an error
// naming it.
func FrameworkMode() (string, error) {
	v := strings.ToLower(strings.TrimSpace(os.Getenv(FrameworkEnv)))
	switch v {
	case "", ModeKiln:
		return ModeKiln, nil
	case ModeNative:
		return ModeNative, nil
	}
	return "", fmt.Errorf("%s=%s is not a framework mode: unset it (Kiln's framework, with a compatibility layer for Google's and OpenFunction's) or set it to native (the framework package.json depends on, as its own server)", FrameworkEnv, os.Getenv(FrameworkEnv))
}

// Declared lists the foreign frameworks package.json depends on
// (dependencies or optionalDependencies).
func (p *PackageJSON) Declared() []ForeignFramework {
	var out []ForeignFramework
	if p == nil {
		return nil
	}
	for _, f := range ForeignFrameworks {
		if p.Dependencies[f.Package] != "" || p.OptionalDependencies[f.Package] != "" {
			out = append(out, f)
		}
	}
	return out
}

// Source files the scan reads at most, and bytes per file.
const (
	scanMaxFiles = 1000
	scanMaxBytes = 2 << 20
)

// Imported lists the foreign frameworks the app's own JavaScript sources name
// as a module (a quoted package name: require('…'), import … from '…'),
// outside node_modules. Google's and OpenFunction's builders add their
// framework when package.json omits it, so such apps exist.
func Imported(app string) ([]ForeignFramework, error) {
	found := map[string]bool{}
	files := 0
	err := filepath.WalkDir(app, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != app && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		switch filepath.Ext(p) {
		case ".js", ".mjs", ".cjs", ".ts", ".mts", ".cts":
		default:
			return nil
		}
		if !d.Type().IsRegular() || files >= scanMaxFiles {
			return nil
		}
		files++
		b, err := readPrefix(p, scanMaxBytes)
		if err != nil {
			return err
		}
		for _, f := range ForeignFrameworks {
			for _, q := range []string{`'`, `"`, "`"} {
				if bytes.Contains(b, []byte(q+f.Package+q)) || bytes.Contains(b, []byte(q+f.Package+"/")) {
					found[f.Kind] = true
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning the app's sources for functions frameworks: %w", err)
	}
	var out []ForeignFramework
	for _, f := range ForeignFrameworks {
		if found[f.Kind] {
			out = append(out, f)
		}
	}
	return out, nil
}

func readPrefix(p string, n int64) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}

// Union merges framework lists, keeping ForeignFrameworks' order.
func Union(lists ...[]ForeignFramework) []ForeignFramework {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, f := range l {
			seen[f.Kind] = true
		}
	}
	var out []ForeignFramework
	for _, f := range ForeignFrameworks {
		if seen[f.Kind] {
			out = append(out, f)
		}
	}
	return out
}

// Kinds joins the frameworks' kinds for KILN_FUNCTION_COMPAT ("google,openfunction").
func Kinds(fws []ForeignFramework) string {
	k := make([]string, len(fws))
	for i, f := range fws {
		k[i] = f.Kind
	}
	return strings.Join(k, ",")
}

// Packages lists the frameworks' npm names.
func Packages(fws []ForeignFramework) []string {
	p := make([]string, len(fws))
	for i, f := range fws {
		p[i] = f.Package
	}
	return p
}

// WithoutDependencies returns package.json content with the named packages
// removed from dependencies and optionalDependencies (every other field kept
// as written; keys come out sorted, with two-space indentation).
func WithoutDependencies(content []byte, names []string) ([]byte, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(content, &raw); err != nil {
		return nil, fmt.Errorf("package.json is not valid JSON: %v: fix the file", err)
	}
	drop := map[string]bool{}
	for _, n := range names {
		drop[n] = true
	}
	for _, field := range []string{"dependencies", "optionalDependencies"} {
		v, ok := raw[field]
		if !ok {
			continue
		}
		var deps map[string]json.RawMessage
		if err := json.Unmarshal(v, &deps); err != nil {
			return nil, fmt.Errorf("package.json: %q must be an object of strings: %v", field, err)
		}
		for n := range drop {
			delete(deps, n)
		}
		b, err := json.Marshal(deps)
		if err != nil {
			return nil, err
		}
		raw[field] = b
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var buf bytes.Buffer
	buf.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			buf.WriteString(",")
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteString(":")
		buf.Write(raw[k])
	}
	buf.WriteString("}")
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	out.WriteString("\n")
	return out.Bytes(), nil
}
