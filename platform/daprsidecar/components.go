package daprsidecar

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"kiln.dev/kiln/platform/fsutil"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// Component is the part of a Dapr Component file kiln checks.
type Component struct {
	Name, Type, File string
}

// LoadComponents reads every *.yaml / *.yml in dir (several documents per
// file allowed) and returns the Dapr Components by name.
func LoadComponents(dir string) (map[string]Component, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("--dapr %s: %w (it should be a folder of Dapr Component YAML files)", dir, err)
	}
	out := map[string]Component{}
	for _, e := range entries {
		if e.IsDir() || !(strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml")) {
			continue
		}
		path := filepath.Join(dir, e.Name())
		b, err := readBounded(path, maxComponentFile)
		if err != nil {
			return nil, err
		}
		for i, doc := range bytes.Split(b, []byte("\n---")) {
			if len(bytes.TrimSpace(doc)) == 0 {
				continue
			}
			var c struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
				Spec struct {
					Type string `json:"type"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(doc, &c); err != nil {
				return nil, fmt.Errorf("%s (document %d): %w", path, i+1, err)
			}
			if c.Kind != "Component" {
				continue
			}
			if c.Metadata.Name == "" || c.Spec.Type == "" {
				return nil, fmt.Errorf("%s (document %d): a Dapr Component needs metadata.name and spec.type", path, i+1)
			}
			out[c.Metadata.Name] = Component{c.Metadata.Name, c.Spec.Type, path}
		}
	}
	return out, nil
}

// maxComponentFile bounds one Component file: Dapr's are a few hundred
// bytes; a huge one is a mistake (or hostile) and is refused unread.
const maxComponentFile = 1 << 20

func readBounded(path string, limit int64) ([]byte, error) {
	b, err := fsutil.ReadFileAtMost(path, limit)
	if errors.Is(err, fsutil.ErrTooLarge) {
		return nil, fmt.Errorf("%s: over %d bytes; a Dapr Component file is a few hundred (is this the right folder?)", path, limit)
	}
	return b, err
}

// CheckFuncContext checks that every component FUNC_CONTEXT (either shape)
// names is among components with a matching type; the error names the field.
func CheckFuncContext(funcContext string, components map[string]Component, dir string) error {
	var fc struct {
		Inputs  map[string]struct{ ComponentName, ComponentType string } `json:"inputs"`
		Outputs map[string]struct{ ComponentName, ComponentType string } `json:"outputs"`
	}
	if err := json.Unmarshal([]byte(funcContext), &fc); err != nil {
		return fmt.Errorf("FUNC_CONTEXT is not JSON: %w", err)
	}
	have := make([]string, 0, len(components))
	for n := range components {
		have = append(have, n)
	}
	sort.Strings(have)
	check := func(kind string, ios map[string]struct{ ComponentName, ComponentType string }) error {
		names := make([]string, 0, len(ios))
		for n := range ios {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			io := ios[n]
			c, ok := components[io.ComponentName]
			if !ok {
				return fmt.Errorf("FUNC_CONTEXT %s.%s.componentName=%q: no Dapr Component of that name in %s (found: %s); add a YAML file for it there",
					kind, n, io.ComponentName, dir, strings.Join(have, ", "))
			}
			if io.ComponentType != "" && io.ComponentType != c.Type {
				return fmt.Errorf("FUNC_CONTEXT %s.%s.componentType=%q, but %s declares %s as %q", kind, n, io.ComponentType, c.File, c.Name, c.Type)
			}
		}
		return nil
	}
	if len(fc.Inputs) == 0 && len(fc.Outputs) == 0 {
		return nil
	}
	if err := check("inputs", fc.Inputs); err != nil {
		return err
	}
	return check("outputs", fc.Outputs)
}
