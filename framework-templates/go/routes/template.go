package routes

import (
	"fmt"
	"regexp"
	"strings"
)

// Template is a compiled path template.
type Template struct {
	raw      string
	catchAll bool           // "/": every path
	segments []segment      // fast path: every variable is a whole segment, no regexp
	re       *regexp.Regexp // general case
	names    []string       // variable names, in order
	groups   []int          // re's group index of each variable
	literal  int            // characters of literal text, for ordering
}

// segment is one /-separated part of a fast-path template: a literal, or a
// variable (name set) matching one non-empty segment.
type segment struct {
	lit, name string
}

// String returns the template as written.
func (t *Template) String() string { return t.raw }

// Compile parses a template: it must start with "/"; "{name}" matches one
// non-empty path segment, "{name:re}" matches the regular expression re
// (which may span segments, e.g. "{rest:.*}"). Variable names must be unique.
func Compile(template string) (*Template, error) {
	if !strings.HasPrefix(template, "/") {
		return nil, fmt.Errorf("path %q must start with \"/\"", template)
	}
	t := &Template{raw: template, catchAll: template == "/"}
	if t.catchAll {
		return t, nil
	}
	var expr strings.Builder
	expr.WriteString("^")
	simple := true
	for pos := 0; pos < len(template); {
		rest := template[pos:]
		open := strings.IndexByte(rest, '{')
		if c := strings.IndexByte(rest, '}'); c >= 0 && (open < 0 || c < open) {
			return nil, fmt.Errorf("path %q: unbalanced \"}\"", template)
		}
		if open < 0 {
			expr.WriteString(regexp.QuoteMeta(rest))
			t.literal += len(rest)
			break
		}
		expr.WriteString(regexp.QuoteMeta(rest[:open]))
		t.literal += open
		end, err := closing(rest, open)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", template, err)
		}
		name, pattern, hasPattern := strings.Cut(rest[open+1:end], ":")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, fmt.Errorf("path %q: a variable needs a name, as in {name} or {name:[0-9]+}", template)
		}
		for _, n := range t.names {
			if n == name {
				return nil, fmt.Errorf("path %q: variable %q appears twice", template, name)
			}
		}
		if hasPattern {
			simple = false
			if _, err := regexp.Compile(pattern); err != nil {
				return nil, fmt.Errorf("path %q: variable %q: %w", template, name, err)
			}
		} else {
			pattern = "[^/]+"
		}
		// The fast path needs every variable to be a whole segment.
		start, stop := pos+open, pos+end+1
		if template[start-1] != '/' || (stop < len(template) && template[stop] != '/') {
			simple = false
		}
		fmt.Fprintf(&expr, "(?P<v%d>%s)", len(t.names), pattern)
		t.names = append(t.names, name)
		pos = stop
	}
	expr.WriteString("$")
	if simple {
		for _, s := range strings.Split(template[1:], "/") {
			if strings.HasPrefix(s, "{") {
				t.segments = append(t.segments, segment{name: strings.TrimSpace(s[1 : len(s)-1])})
			} else {
				t.segments = append(t.segments, segment{lit: s})
			}
		}
		return t, nil
	}
	re, err := regexp.Compile(expr.String())
	if err != nil {
		return nil, fmt.Errorf("path %q: %w", template, err)
	}
	t.re = re
	for i := range t.names {
		t.groups = append(t.groups, re.SubexpIndex(fmt.Sprintf("v%d", i)))
	}
	return t, nil
}

// closing finds the "}" that closes the "{" at open, counting nested braces
// (a regexp may hold its own: {id:[0-9]{3}}).
func closing(s string, open int) (int, error) {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("unbalanced \"{\"")
}

// Match reports whether path matches the whole template, and the variables.
// A template without variables matches with nil vars.
func (t *Template) Match(path string) (map[string]string, bool) {
	switch {
	case t.catchAll:
		return nil, true
	case len(t.names) == 0 && t.re == nil:
		return nil, path == t.raw
	case t.re == nil:
		return t.matchSegments(path)
	}
	m := t.re.FindStringSubmatch(path)
	if m == nil {
		return nil, false
	}
	vars := make(map[string]string, len(t.names))
	for i, n := range t.names {
		vars[n] = m[t.groups[i]]
	}
	return vars, true
}

func (t *Template) matchSegments(path string) (map[string]string, bool) {
	if path == "" || path[0] != '/' {
		return nil, false
	}
	rest := path[1:]
	var vars map[string]string
	for i, s := range t.segments {
		seg := rest
		j := strings.IndexByte(rest, '/')
		last := i == len(t.segments)-1
		if j >= 0 {
			if last {
				return nil, false
			}
			seg, rest = rest[:j], rest[j+1:]
		} else if !last {
			return nil, false
		}
		if s.name == "" {
			if seg != s.lit {
				return nil, false
			}
			continue
		}
		if seg == "" {
			return nil, false
		}
		if vars == nil {
			vars = make(map[string]string, len(t.names))
		}
		vars[s.name] = seg
	}
	return vars, true
}
