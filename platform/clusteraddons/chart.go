package clusteraddons

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// maxChartFile bounds every file read from a chart: the chart comes from
// the module proxy (checksummed), but a template or values file bigger
// than this is not one Kiln has looked at.
const maxChartFile = 1 << 20

// chart is one Helm chart read from a dir: its name, default values,
// templates (path → text, partials included), CRDs and subcharts.
type chart struct {
	name, version string
	// path is the chart's path in template names ("dapr",
	// "dapr/charts/dapr_operator"), as Helm names them.
	path      string
	values    map[string]any
	templates map[string]string
	crds      []file
	subcharts []*chart
}

type file struct {
	path string
	data []byte
}

// loadChart reads the chart at dir of fsys: Chart.yaml, values.yaml,
// templates/, crds/ and every chart under charts/ (Helm renders each dir
// there, listed in Chart.yaml's dependencies or not). Files other than
// those are ignored; symlinks and files over maxChartFile are refused.
func loadChart(fsys fs.FS, dir, tplPath string) (*chart, error) {
	meta, err := readChartFile(fsys, path.Join(dir, "Chart.yaml"))
	if err != nil {
		return nil, err
	}
	var m struct{ Name, Version string }
	if err := yaml.Unmarshal(meta, &m); err != nil || m.Name == "" {
		return nil, fmt.Errorf("clusteraddons: %s/Chart.yaml: no chart name (%v)", dir, err)
	}
	c := &chart{name: m.Name, version: m.Version, path: tplPath, values: map[string]any{}, templates: map[string]string{}}
	if tplPath == "" {
		c.path = m.Name
	}
	if b, err := readChartFile(fsys, path.Join(dir, "values.yaml")); err == nil {
		if err := yaml.Unmarshal(b, &c.values); err != nil {
			return nil, fmt.Errorf("clusteraddons: %s/values.yaml: %w", dir, err)
		}
		if c.values == nil {
			c.values = map[string]any{}
		}
	} else if !isNotExist(err) {
		return nil, err
	}
	err = walkFiles(fsys, path.Join(dir, "templates"), func(p string, b []byte) {
		c.templates[c.path+"/"+strings.TrimPrefix(p, dir+"/")] = string(b)
	})
	if err != nil {
		return nil, err
	}
	err = walkFiles(fsys, path.Join(dir, "crds"), func(p string, b []byte) {
		c.crds = append(c.crds, file{c.path + "/" + strings.TrimPrefix(p, dir+"/"), b})
	})
	if err != nil {
		return nil, err
	}
	subs, err := fs.ReadDir(fsys, path.Join(dir, "charts"))
	if err != nil && !isNotExist(err) {
		return nil, err
	}
	for _, e := range subs {
		if !e.IsDir() {
			continue // packaged (.tgz) subcharts: none in the charts Kiln renders
		}
		sc, err := loadChart(fsys, path.Join(dir, "charts", e.Name()), c.path+"/charts/"+e.Name())
		if err != nil {
			return nil, err
		}
		c.subcharts = append(c.subcharts, sc)
	}
	return c, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

// walkFiles calls fn for every regular file under dir, in path order.
func walkFiles(fsys fs.FS, dir string, fn func(p string, b []byte)) error {
	var paths []string
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir && isNotExist(err) {
				return fs.SkipDir
			}
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("clusteraddons: %s is a symlink; a chart is plain files", p)
		}
		if d.Type().IsRegular() {
			paths = append(paths, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(paths)
	for _, p := range paths {
		b, err := readChartFile(fsys, p)
		if err != nil {
			return err
		}
		fn(p, b)
	}
	return nil
}

func readChartFile(fsys fs.FS, p string) ([]byte, error) {
	st, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("clusteraddons: %s is not a regular file", p)
	}
	if st.Size() > maxChartFile {
		return nil, fmt.Errorf("clusteraddons: %s is %d bytes, over the %d a chart file may have", p, st.Size(), maxChartFile)
	}
	return fs.ReadFile(fsys, p)
}

// mergeValues returns over merged into base (maps merged key by key,
// anything else replaced), copying so neither input changes.
func mergeValues(base, over map[string]any) map[string]any {
	out := make(map[string]any, len(base)+len(over))
	for k, v := range base {
		out[k] = copyValue(v)
	}
	for k, v := range over {
		if bm, ok := out[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				out[k] = mergeValues(bm, om)
				continue
			}
		}
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return mergeValues(t, nil)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = copyValue(e)
		}
		return c
	}
	return v
}
