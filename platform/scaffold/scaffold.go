package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"text/template"

	"kiln.dev/kiln/platform/buildrequest"
	"kiln.dev/kiln/platform/devproxy"
)

//go:embed templates
var templates embed.FS

// Languages and Signatures kiln init takes.
var (
	Languages  = []string{"go", "node", "python", "java"}
	Signatures = []string{"http", "cloudevent", "openfunction"}
)

// Options is one scaffold.
type Options struct {
	Language  string // go, node (or nodejs), python, java
	Signature string // http (default), cloudevent, openfunction
	Dir       string // where it goes; created if missing, must hold none of its files
	// GoFramework is the module proxy holding Kiln's Go framework
	// (platform/devproxy): the Go cloudevent and openfunction scaffolds import
	// it, so they require its release and get its go.sum lines.
	GoFramework *devproxy.Proxy
}

// Result says what was written and how to go on.
type Result struct {
	Dir    string
	Files  []string // relative, sorted
	Target string   // for kiln build --target
	Test   string   // the command that runs the scaffold's test in Dir
	Env    []string // what Test needs in its environment (Go: the framework's GOPROXY)
}

// data is what the templates see.
type data struct {
	Name    string // the directory's name as an image/module name
	Package string // a Go package name
	Target  string // the function's name (Java: class name with package)
	Class   string // a Java or Python class name
	// FrameworkVersion is the Go framework release the go.mod requires.
	FrameworkVersion string
}

var targets = map[string]map[string]string{
	"go":     {"http": "Handle", "cloudevent": "OnEvent", "openfunction": "Receive"},
	"node":   {"http": "handle", "cloudevent": "onEvent", "openfunction": "receive"},
	"python": {"http": "handle", "cloudevent": "on_event", "openfunction": "receive"},
	"java":   {"http": "Greeter", "cloudevent": "OnEvent"},
}

var tests = map[string]string{
	"go":     "go test ./...",
	"node":   "node --test",
	"python": "python3 -m unittest",
	"java":   "javac -d out src/main/java/com/example/Greeting.java src/test/java/com/example/GreetingCheck.java && java -cp out com.example.GreetingCheck",
}

// Write scaffolds opts.Language's function with opts.Signature in opts.Dir.
func Write(opts Options) (*Result, error) {
	lang := opts.Language
	if lang == "nodejs" || lang == "javascript" {
		lang = "node"
	}
	sig := opts.Signature
	if sig == "" {
		sig = "http"
	}
	byLang, ok := targets[lang]
	if !ok {
		return nil, fmt.Errorf("language %q: kiln init takes %s", opts.Language, strings.Join(Languages, ", "))
	}
	target, ok := byLang[sig]
	if !ok {
		var have []string
		for _, s := range Signatures {
			if _, ok := byLang[s]; ok {
				have = append(have, s)
			}
		}
		return nil, fmt.Errorf("--signature %q: %s functions take %s", sig, lang, strings.Join(have, " or "))
	}
	abs, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	d := data{Name: name(abs), Package: goPackage(abs), Target: target, Class: upperFirst(strings.ReplaceAll(target, "_", ""))}
	var goSum []string
	if lang == "go" && sig != "http" {
		if opts.GoFramework == nil {
			return nil, errors.New("the go " + sig + " scaffold imports kiln.dev/functions-framework-go: give it the framework's module proxy (platform/devproxy)")
		}
		if goSum, err = opts.GoFramework.SumLines(); err != nil {
			return nil, err
		}
		d.FrameworkVersion = opts.GoFramework.Version
	}
	if lang == "java" {
		d.Class, d.Target = target, "com.example."+target
	}
	root := path.Join("templates", lang, sig)
	files, err := render(root, d)
	if err != nil {
		return nil, err
	}
	if goSum != nil {
		files["go.sum"] = []byte(strings.Join(goSum, "\n") + "\n")
	}
	res := &Result{Dir: abs, Target: d.Target, Test: tests[lang]}
	if goSum != nil {
		res.Env = opts.GoFramework.Env(os.Getenv("GOPROXY"))[:1]
	}
	for rel := range files {
		if _, err := os.Lstat(filepath.Join(abs, rel)); err == nil {
			return nil, fmt.Errorf("%s: already exists; kiln init writes only new files (pick an empty DIR)", filepath.Join(abs, rel))
		}
		res.Files = append(res.Files, rel)
	}
	sort.Strings(res.Files)
	for _, rel := range res.Files {
		p := filepath.Join(abs, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, files[rel], 0o644); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// render executes every template under root.
func render(root string, d data) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := fs.WalkDir(templates, root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		src, err := templates.ReadFile(p)
		if err != nil {
			return err
		}
		t, err := template.New(p).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return err
		}
		var b bytes.Buffer
		if err := t.Execute(&b, d); err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".tmpl")
		rel = strings.ReplaceAll(rel, "__Class__", d.Class)
		out[filepath.FromSlash(rel)] = b.Bytes()
		return nil
	})
	if err == nil && len(out) == 0 {
		err = errors.New(root + ": no templates")
	}
	return out, err
}

// name is dir's name as an image and module name.
func name(dir string) string { return buildrequest.ImageName(dir) }

// goPackage is dir's name as a Go package name.
func goPackage(dir string) string {
	p := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, name(dir))
	if p == "main" {
		p = "function"
	}
	if p == "" || p[0] >= '0' && p[0] <= '9' {
		p = "function" + p
	}
	return p
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
