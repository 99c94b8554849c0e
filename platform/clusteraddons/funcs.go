package clusteraddons

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// maxIncludeDepth stops a template that includes itself.
const maxIncludeDepth = 100

// funcMap holds the Helm and sprig functions Dapr's chart calls, with
// their Helm meanings. include and tpl need the parsed template set, so
// they are bound by (*renderer).bind.
func funcMap() template.FuncMap {
	return template.FuncMap{
		"toYaml":     toYAML,
		"toString":   toString,
		"trunc":      trunc,
		"trimSuffix": func(suffix, s string) string { return strings.TrimSuffix(s, suffix) },
		"trim":       strings.TrimSpace,
		"replace":    func(old, new, s string) string { return strings.ReplaceAll(s, old, new) },
		"contains":   func(substr, s string) bool { return strings.Contains(s, substr) },
		"join":       func(sep string, v any) string { return strings.Join(toStrings(v), sep) },
		"indent":     indent,
		"nindent":    func(n int, s string) string { return "\n" + indent(n, s) },
		"int":        func(v any) int { return int(toInt64(v)) },
		"add": func(a ...any) int64 {
			var s int64
			for _, v := range a {
				s += toInt64(v)
			}
			return s
		},
		"sub": func(a, b any) int64 { return toInt64(a) - toInt64(b) },
		"max": func(a any, r ...any) int64 {
			m := toInt64(a)
			for _, v := range r {
				m = max(m, toInt64(v))
			}
			return m
		},
		"min": func(a any, r ...any) int64 {
			m := toInt64(a)
			for _, v := range r {
				m = min(m, toInt64(v))
			}
			return m
		},
		"default": func(d any, given ...any) any {
			if len(given) == 0 || empty(given[0]) {
				return d
			}
			return given[0]
		},
		"empty":  empty,
		"dict":   dict,
		"list":   func(v ...any) []any { return v },
		"until":  until,
		"b64enc": func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) },
		"typeOf": func(v any) string { return fmt.Sprintf("%T", v) },
		"quote": func(v ...any) string {
			q := make([]string, len(v))
			for i, e := range v {
				q[i] = strconv.Quote(toString(e))
			}
			return strings.Join(q, " ")
		},
		"required": func(msg string, v any) (any, error) {
			if v == nil || (reflect.ValueOf(v).Kind() == reflect.String && v == "") {
				return nil, fmt.Errorf("%s", msg)
			}
			return v, nil
		},
		// Bound per render; these stand-ins let the templates parse.
		"include": func(string, any) (string, error) { return "", nil },
		"tpl":     func(string, any) (string, error) { return "", nil },
	}
}

// toYAML is Helm's toYaml: sigs.k8s.io/yaml, no trailing newline.
func toYAML(v any) string {
	b, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

func toString(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case []byte:
		return string(t)
	case error:
		return t.Error()
	case fmt.Stringer:
		return t.String()
	case nil:
		return "<nil>" // sprig's strval of nil
	}
	return fmt.Sprintf("%v", v)
}

func toStrings(v any) []string {
	switch t := v.(type) {
	case []string:
		return t
	case []any:
		s := make([]string, 0, len(t))
		for _, e := range t {
			if e != nil {
				s = append(s, toString(e))
			}
		}
		return s
	}
	return []string{toString(v)}
}

// until is sprig's: 0..n-1 (n capped: a chart's replica count, not a loop bomb).
func until(n int) ([]int, error) {
	if n > 1000 {
		return nil, fmt.Errorf("until %d: over 1000", n)
	}
	r := make([]int, max(n, 0))
	for i := range r {
		r[i] = i
	}
	return r, nil
}

// trunc is sprig's: a negative n keeps the last -n bytes.
func trunc(n int, s string) string {
	if n < 0 && len(s)+n > 0 {
		return s[len(s)+n:]
	}
	if n >= 0 && len(s) > n {
		return s[:n]
	}
	return s
}

func indent(n int, s string) string {
	pad := strings.Repeat(" ", n)
	return pad + strings.ReplaceAll(s, "\n", "\n"+pad)
}

func toInt64(v any) int64 {
	switch t := v.(type) {
	case int:
		return int64(t)
	case int64:
		return t
	case int32:
		return int64(t)
	case float64:
		return int64(t)
	case string:
		n, _ := strconv.ParseInt(strings.TrimSpace(t), 10, 64)
		return n
	case bool:
		if t {
			return 1
		}
	}
	return 0
}

// empty is sprig's: nil, false, 0, "" and empty collections.
func empty(v any) bool {
	if v == nil {
		return true
	}
	r := reflect.ValueOf(v)
	switch r.Kind() {
	case reflect.Array, reflect.Map, reflect.Slice, reflect.String:
		return r.Len() == 0
	case reflect.Pointer, reflect.Interface:
		return r.IsNil()
	}
	return r.IsZero()
}

func dict(kv ...any) map[string]any {
	d := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		d[toString(kv[i])] = kv[i+1]
	}
	if len(kv)%2 == 1 {
		d[toString(kv[len(kv)-1])] = ""
	}
	return d
}

// bind replaces the include and tpl stand-ins with ones over t.
func bind(t *template.Template) {
	depth := 0
	t.Funcs(template.FuncMap{
		"include": func(name string, data any) (string, error) {
			if depth >= maxIncludeDepth {
				return "", fmt.Errorf("include %q: more than %d levels deep", name, maxIncludeDepth)
			}
			depth++
			defer func() { depth-- }()
			var b bytes.Buffer
			if err := t.ExecuteTemplate(&b, name, data); err != nil {
				return "", err
			}
			return b.String(), nil
		},
		"tpl": func(text string, data any) (string, error) {
			if depth >= maxIncludeDepth {
				return "", fmt.Errorf("tpl %q: more than %d levels deep", text, maxIncludeDepth)
			}
			depth++
			defer func() { depth-- }()
			c, err := t.Clone()
			if err != nil {
				return "", err
			}
			bind(c)
			if _, err := c.New("tpl").Parse(text); err != nil {
				return "", fmt.Errorf("tpl %q: %w", text, err)
			}
			var b bytes.Buffer
			if err := c.ExecuteTemplate(&b, "tpl", data); err != nil {
				return "", err
			}
			return strings.ReplaceAll(b.String(), "<no value>", ""), nil
		},
	})
}
