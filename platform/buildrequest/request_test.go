package buildrequest

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// tree writes files (path → content) under a new directory.
func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, c := range files {
		p = filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const projectTOML = `[_]
schema-version = "0.2"
[io.buildpacks]
exclude = ["*.md"]
[[io.buildpacks.build.env]]
name = "A"
value = "project"
[[io.buildpacks.build.env]]
name = "B"
value = "project"
`

func TestResolve(t *testing.T) {
	env := map[string]string{"GOPROXY": "http://proxy", "HTTPS_PROXY": "http://p:3128", "FROM_KILN": "k"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	for _, tc := range []struct {
		name        string
		files       map[string]string
		req         Request
		wantEnv     map[string]string
		wantBuilder string
		from        string
	}{
		{
			name:  "env precedence: project.toml < --env-file < --env < --target",
			files: map[string]string{"go.mod": "module x", "project.toml": projectTOML, "build.env": "B=file\nC=file\nFUNC_NAME=file\nFROM_KILN\n"},
			req:   Request{Env: []string{"C=flag", "GOPROXY=mine"}, EnvFiles: []string{"build.env"}, Target: "Fn", Signature: "http"},
			wantEnv: map[string]string{"A": "project", "B": "file", "C": "flag", "FUNC_NAME": "Fn", "FROM_KILN": "k",
				"FUNC_SIGNATURE_TYPE": "http", "GOPROXY": "mine", "HTTPS_PROXY": "http://p:3128"},
			wantBuilder: "kiln/builder-go:latest", from: "detected go.mod",
		},
		{
			name:        "a root Hello.java picks builder-java",
			files:       map[string]string{"Hello.java": "class Hello {}"},
			req:         Request{Target: "Hello"},
			wantEnv:     map[string]string{"FUNC_NAME": "Hello", "GOPROXY": "http://proxy", "HTTPS_PROXY": "http://p:3128"},
			wantBuilder: "kiln/builder-java:latest", from: "detected .java sources",
		},
		{
			name:        "FUNC_SRC=handler.py picks builder-python",
			files:       map[string]string{"handler.py": "def f(r): pass"},
			req:         Request{Env: []string{"FUNC_SRC=handler.py"}, Target: "f"},
			wantEnv:     map[string]string{"FUNC_NAME": "f", "FUNC_SRC": "handler.py", "GOPROXY": "http://proxy", "HTTPS_PROXY": "http://p:3128"},
			wantBuilder: "kiln/builder-python:latest", from: "detected requirements.txt, main.py or FUNC_SRC=*.py",
		},
		{
			name:        "project.toml's builder, --builder over it",
			files:       map[string]string{"project.toml": "[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nbuilder = \"reg/b:1\"\n"},
			req:         Request{Builder: "reg/mine:2"},
			wantEnv:     map[string]string{"GOPROXY": "http://proxy", "HTTPS_PROXY": "http://p:3128"},
			wantBuilder: "reg/mine:2", from: "--builder",
		},
		{
			name:        "project.toml's builder",
			files:       map[string]string{"project.toml": "[_]\nschema-version = \"0.2\"\n[io.buildpacks]\nbuilder = \"reg/b:1\"\n"},
			wantEnv:     map[string]string{"GOPROXY": "http://proxy", "HTTPS_PROXY": "http://p:3128"},
			wantBuilder: "reg/b:1", from: "project.toml",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, tc.files)
			tc.req.Dir, tc.req.LookupEnv = dir, lookup
			for i, f := range tc.req.EnvFiles {
				tc.req.EnvFiles[i] = filepath.Join(dir, f)
			}
			p, err := Resolve(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Env, tc.wantEnv) {
				t.Errorf("env %v, want %v", p.Env, tc.wantEnv)
			}
			if p.Builder != tc.wantBuilder || p.BuilderFrom != tc.from {
				t.Errorf("builder %s (%s), want %s (%s)", p.Builder, p.BuilderFrom, tc.wantBuilder, tc.from)
			}
			if p.Image != ImageName(dir) {
				t.Errorf("image %s", p.Image)
			}
		})
	}
}

// The source filter: .kilnignore and project.toml exclude, or include.
func TestSourceFilter(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		paths map[string]bool // path (trailing / for a directory) → left out
	}{
		{"none", map[string]string{"go.mod": ""}, nil},
		{
			"kilnignore and exclude",
			map[string]string{".kilnignore": "node_modules/\n*.log\n!keep.log\n", "project.toml": projectTOML},
			map[string]bool{"node_modules/": true, "a.log": true, "keep.log": false, "README.md": true, "main.go": false, "src/": false},
		},
		{
			"include",
			map[string]string{"project.toml": "[build]\ninclude = [\"src/\", \"go.mod\"]\n"},
			map[string]bool{"src/": false, "src/a.go": false, "go.mod": false, "README.md": true, "docs/": false, "docs/x.md": true},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Resolve(Request{Dir: tree(t, tc.files)})
			if err != nil {
				t.Fatal(err)
			}
			if tc.paths == nil {
				if p.Skip != nil {
					t.Error("a filter without .kilnignore or include/exclude")
				}
				return
			}
			for path, want := range tc.paths {
				dir := strings.HasSuffix(path, "/")
				if got := p.Skip(strings.TrimSuffix(path, "/"), dir); got != want {
					t.Errorf("%s: left out %v, want %v", path, got, want)
				}
			}
		})
	}
}

// Errors name the file and line or field at fault.
func TestResolveErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		req   Request
		want  string
	}{
		{"signature", nil, Request{Signature: "grpc"}, `--signature "grpc": use http, cloudevent or openfunction`},
		{"env file line", map[string]string{"e.env": "A=1\nnot a var\n"}, Request{EnvFiles: []string{"e.env"}}, "e.env:2:"},
		{"missing env file", nil, Request{EnvFiles: []string{"nope.env"}}, "--env-file"},
		{"project.toml field", map[string]string{"project.toml": "[_]\nschema-version = \"9\"\n"}, Request{}, `project.toml: _.schema-version "9"`},
		{"kilnignore line", map[string]string{".kilnignore": "ok\n[bad\n"}, Request{}, ".kilnignore:2:"},
		{"exclude entry", map[string]string{"project.toml": "[build]\nexclude = [\"a\", \"[b\"]\n"}, Request{}, "project.toml build.exclude:2:"},
		{"no directory", map[string]string{"file": ""}, Request{Dir: "file"}, "not a directory (kiln build DIR)"},
		{"env flag", nil, Request{Env: []string{"=x"}}, `--env "=x": want KEY=VALUE`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := tree(t, tc.files)
			tc.req.Dir = filepath.Join(dir, tc.req.Dir)
			for i, f := range tc.req.EnvFiles {
				tc.req.EnvFiles[i] = filepath.Join(dir, f)
			}
			_, err := Resolve(tc.req)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Resolve = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}

func TestImageName(t *testing.T) {
	for dir, want := range map[string]string{
		"/src/samples/go/hello": "hello",
		"/src/My Function":      "my-function",
		"/src/__":               "app",
		"/x/Go.App_v2":          "go.app_v2",
	} {
		if got := ImageName(dir); got != want {
			t.Errorf("ImageName(%q) = %q, want %q", dir, got, want)
		}
	}
}
