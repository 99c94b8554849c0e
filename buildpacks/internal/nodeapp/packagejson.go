package nodeapp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// PackageJSON is the part of package.json the buildpacks use.
type PackageJSON struct {
	Name         string            `json:"name,omitempty"`
	VersionField string            `json:"version,omitempty"`
	Main         string            `json:"main,omitempty"`
	Type         string            `json:"type,omitempty"`
	Engines      map[string]string `json:"engines,omitempty"`
	Dependencies map[string]string `json:"dependencies,omitempty"`
	// OptionalDependencies are installed like dependencies when they can be.
	OptionalDependencies map[string]string `json:"optionalDependencies,omitempty"`
	Scripts              map[string]string `json:"scripts,omitempty"`
}

// Version is the package's version ("" for a nil package).
func (p *PackageJSON) Version() string {
	if p == nil {
		return ""
	}
	return p.VersionField
}

// Read parses dir/package.json; (nil, nil) when there is none.
func Read(dir string) (*PackageJSON, error) {
	b, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("package.json: reading: %w", err)
	}
	return Parse(b)
}

// stringFields and mapFields are the fields the buildpacks read, with what
// each holds (for the message when one has the wrong type).
var (
	stringFields = map[string]string{
		"name":    `the package name, e.g. "hello"`,
		"version": `e.g. "1.0.0"`,
		"main":    `the function's file, e.g. "index.js"`,
		"type":    `"module" or "commonjs"`,
	}
	mapFields = map[string]string{
		"engines":              `e.g. {"node": "22"}`,
		"dependencies":         `e.g. {"express": "^4.21.0"}`,
		"optionalDependencies": `e.g. {"fsevents": "^2.3.3"}`,
		"scripts":              `e.g. {"start": "node index.js"}`,
	}
)

// Parse reads package.json content. Syntax errors say the line and column;
// a field the buildpacks read with the wrong JSON type is named with what it
// should hold.
func Parse(b []byte) (*PackageJSON, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) {
			line, col := position(b, syn.Offset)
			return nil, fmt.Errorf("package.json is not valid JSON: line %d, column %d: %v: fix the file there", line, col, syn)
		}
		var typ *json.UnmarshalTypeError
		if errors.As(err, &typ) {
			return nil, fmt.Errorf("package.json must hold a JSON object ({...}), not %s", kind(bytes.TrimSpace(b)))
		}
		return nil, fmt.Errorf("package.json is not valid JSON: %v: fix the file", err)
	}
	var p PackageJSON
	for _, name := range sortedKeys(stringFields) {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var str string
		if v[0] != '"' || json.Unmarshal(v, &str) != nil {
			return nil, fmt.Errorf("package.json: %q must be a string (%s), not %s", name, stringFields[name], kind(v))
		}
	}
	for _, name := range sortedKeys(mapFields) {
		v, ok := raw[name]
		if !ok || string(v) == "null" {
			continue
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(v, &m); err != nil {
			return nil, fmt.Errorf("package.json: %q must be an object of strings (%s), not %s", name, mapFields[name], kind(v))
		}
		for _, k := range sortedKeys(m) {
			if e := m[k]; len(e) == 0 || e[0] != '"' {
				return nil, fmt.Errorf("package.json: %s.%s must be a string (%s), not %s", name, k, mapFields[name], kind(e))
			}
		}
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("package.json is not valid JSON: %v: fix the file", err)
	}
	if p.Type != "" && p.Type != "module" && p.Type != "commonjs" {
		return nil, fmt.Errorf("package.json: \"type\" is %q; Node.js knows \"module\" (ES modules) and \"commonjs\": set one of them, or remove \"type\"", p.Type)
	}
	return &p, nil
}

// position turns a byte offset into a 1-based line and column.
func position(b []byte, off int64) (line, col int) {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	if off < 0 {
		off = 0
	}
	before := b[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - (bytes.LastIndexByte(before, '\n') + 1)
	if col < 1 {
		col = 1
	}
	return line, col
}

// kind names a JSON value's type for messages.
func kind(v []byte) string {
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '"':
		return "a string"
	case '{':
		return "an object"
	case '[':
		return "an array"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
