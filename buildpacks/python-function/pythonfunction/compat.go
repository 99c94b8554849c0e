package pythonfunction

import (
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// FrameworkEnv chooses who serves a function written against Google's
// functions_framework or OpenFunction's: unset (or "kiln") is Kiln's framework
// with its compatibility layer, "native" the framework requirements.txt
// installs, as the web process.
const FrameworkEnv = "BP_FUNCTION_FRAMEWORK"

// CompatEnv tells Kiln's framework which compatibility layer to serve with
// ("google", "openfunction", comma-separated).
const CompatEnv = "KILN_FUNCTION_COMPAT"

// ForeignFramework is a functions framework Kiln stands in for.
type ForeignFramework struct {
	Distribution string // PyPI name, normalized (PEP 503)
	Kind         string // KILN_FUNCTION_COMPAT value
}

// ForeignFrameworks are the frameworks Kiln's compatibility layer serves.
// Both install the import package functions_framework.
var ForeignFrameworks = []ForeignFramework{
	{"functions-framework", "google"},
	{"ofn-functions-framework", "openfunction"},
}

// FrameworkMode reads BP_FUNCTION_FRAMEWORK: "kiln" or "native"; anything else
// is an error naming it.
func FrameworkMode() (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(os.Getenv(FrameworkEnv))); v {
	case "", "kiln":
		return "kiln", nil
	case "native":
		return "native", nil
	}
	return "", fmt.Errorf("%s=%s is not a framework mode: unset it (Kiln's framework, with a compatibility layer for Google's functions_framework and OpenFunction's) or set it to native (the functions-framework requirements.txt installs, as its own server)", FrameworkEnv, os.Getenv(FrameworkEnv))
}

var nonAlnum = regexp.MustCompile(`[-_.]+`)

// NormalizeName is a distribution name as PEP 503 compares them.
func NormalizeName(name string) string {
	return strings.ToLower(nonAlnum.ReplaceAllString(strings.TrimSpace(name), "-"))
}

// requirementName is the distribution a requirement line names ("" for a URL or path).
func requirementName(spec string) string {
	if strings.Contains(spec, "://") || strings.HasPrefix(spec, ".") || strings.HasPrefix(spec, "/") {
		return ""
	}
	m := reqName.FindString(spec)
	if i := strings.IndexByte(m, '['); i >= 0 {
		m = m[:i]
	}
	return NormalizeName(m)
}

func foreignKind(spec string) string {
	name := requirementName(spec)
	for _, f := range ForeignFrameworks {
		if name == f.Distribution {
			return f.Kind
		}
	}
	return ""
}

// Dropped is a requirement line left out of what pip installs.
type Dropped struct {
	File, Require string
	Line          int
}

// WithoutFrameworks returns a requirements file's content with the lines that
// require Google's or OpenFunction's framework commented out (so pip's line
// numbers still match the file), and what it left out. file names it in the
// result.
func WithoutFrameworks(file, content string) (string, []Dropped) {
	lines := strings.Split(content, "\n")
	var dropped []Dropped
	for i := 0; i < len(lines); i++ {
		start, text := i, strings.TrimSuffix(lines[i], "\r")
		for strings.HasSuffix(text, `\`) && i+1 < len(lines) {
			i++
			text = strings.TrimSuffix(text, `\`) + strings.TrimSuffix(lines[i], "\r")
		}
		text = strings.TrimSpace(reqComment.ReplaceAllString(strings.TrimSuffix(text, `\`), ""))
		if text == "" || strings.HasPrefix(text, "-") {
			continue
		}
		l, err := parseReqLine(text)
		if err != nil || foreignKind(l.Require) == "" {
			continue
		}
		dropped = append(dropped, Dropped{File: file, Line: start + 1, Require: l.Require})
		for j := start; j <= i; j++ {
			lines[j] = "# kiln: not installed, served by Kiln's framework: " + lines[j]
		}
	}
	return strings.Join(lines, "\n"), dropped
}

// RequiredFrameworks lists the foreign frameworks the requirements files name.
func RequiredFrameworks(app string, files []string) ([]ForeignFramework, error) {
	kinds := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(filepath.Join(app, filepath.FromSlash(f)))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		lines, err := ParseRequirements(f, string(b))
		if err != nil {
			return nil, err
		}
		for _, l := range lines {
			if k := foreignKind(l.Require); k != "" {
				kinds[k] = true
			}
		}
	}
	return pick(kinds), nil
}

func pick(kinds map[string]bool) []ForeignFramework {
	var out []ForeignFramework
	for _, f := range ForeignFrameworks {
		if kinds[f.Kind] {
			out = append(out, f)
		}
	}
	return out
}

var (
	importsOpenFunction = regexp.MustCompile(`(?m)^[ \t]*(from[ \t]+functions_framework\.(context|openfunction)\b|import[ \t]+functions_framework\.(context|openfunction)\b)`)
	importsFramework    = regexp.MustCompile(`(?m)^[ \t]*(from[ \t]+functions_framework\b|import[ \t]+functions_framework\b)`)
)

// Files and bytes per file the import scan reads at most.
const (
	scanMaxFiles = 1000
	scanMaxBytes = 2 << 20
)

// ImportedFrameworks lists the foreign frameworks the app's Python files
// import: functions_framework.context/.openfunction is OpenFunction's, any
// other functions_framework import Google's (Google's builder adds the
// framework when requirements.txt omits it, so such apps exist).
func ImportedFrameworks(app string) ([]ForeignFramework, error) {
	kinds := map[string]bool{}
	files := 0
	err := filepath.WalkDir(app, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != app && (strings.HasPrefix(d.Name(), ".") || d.Name() == "__pycache__" || d.Name() == "site-packages" || d.Name() == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if filepath.Ext(p) != ".py" || !d.Type().IsRegular() || files >= scanMaxFiles {
			return nil
		}
		files++
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, scanMaxBytes))
		f.Close()
		if err != nil {
			return err
		}
		switch {
		case importsOpenFunction.Match(b):
			kinds["openfunction"] = true
		case importsFramework.Match(b):
			kinds["google"] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("scanning the app's Python files for functions frameworks: %w", err)
	}
	return pick(kinds), nil
}

// Kinds joins the frameworks' kinds for KILN_FUNCTION_COMPAT.
func Kinds(fws []ForeignFramework) string {
	k := make([]string, len(fws))
	for i, f := range fws {
		k[i] = f.Kind
	}
	return strings.Join(k, ",")
}

// union merges framework lists in ForeignFrameworks' order.
func union(lists ...[]ForeignFramework) []ForeignFramework {
	kinds := map[string]bool{}
	for _, l := range lists {
		for _, f := range l {
			kinds[f.Kind] = true
		}
	}
	return pick(kinds)
}
