package nodeapp

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestFrameworkMode(t *testing.T) {
	for _, tt := range []struct{ env, want, err string }{
		{"", ModeKiln, ""}, {"kiln", ModeKiln, ""}, {" Native ", ModeNative, ""},
		{"google", "", "BP_FUNCTION_FRAMEWORK=google is not a framework mode: unset it (Kiln's framework, with a compatibility layer for Google's and OpenFunction's) or set it to native (the framework package.json depends on, as its own server)"},
	} {
		t.Setenv(FrameworkEnv, tt.env)
		got, err := FrameworkMode()
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && err.Error() != tt.err) {
			t.Errorf("%q: FrameworkMode() = %q, %v; want %q, %s", tt.env, got, err, tt.want, tt.err)
		}
	}
}

func TestDeclared(t *testing.T) {
	p, err := Parse([]byte(`{"dependencies":{"@openfunction/functions-framework":"^0.6.0","x":"1"},"optionalDependencies":{"@google-cloud/functions-framework":"^3"},"devDependencies":{"y":"1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := Kinds(p.Declared()); got != "google,openfunction" {
		t.Fatalf("Declared = %q", got)
	}
	dev, _ := Parse([]byte(`{"devDependencies":{"@google-cloud/functions-framework":"^3"}}`))
	if got := dev.Declared(); got != nil {
		t.Fatalf("a dev dependency is not what the function runs on: %v", got)
	}
	if (*PackageJSON)(nil).Declared() != nil {
		t.Fatal("nil package")
	}
}

// Imported finds a quoted package name in the app's own sources only.
func TestImported(t *testing.T) {
	for _, tt := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"require", map[string]string{"index.js": `const functions = require('@google-cloud/functions-framework');`}, "google"},
		{"import, double quotes, in a subdirectory", map[string]string{"src/fn.mjs": `import { openfunction } from "@openfunction/functions-framework";`}, "openfunction"},
		{"template literal and subpath", map[string]string{"a.cjs": "require(`@google-cloud/functions-framework`)", "b.ts": `import x from '@openfunction/functions-framework/testing'`}, "google,openfunction"},
		{"a mention in a comment is not a module name", map[string]string{"index.js": `// ported from @google-cloud/functions-framework`}, ""},
		{"node_modules and dot directories are not the app's", map[string]string{"node_modules/x/index.js": `require('@google-cloud/functions-framework')`, ".cache/y.js": `require('@google-cloud/functions-framework')`}, ""},
		{"other extensions are not read", map[string]string{"README.md": `require('@google-cloud/functions-framework')`}, ""},
		{"nothing", map[string]string{"index.js": `exports.hello = () => {}`}, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
				os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644)
			}
			got, err := Imported(dir)
			if err != nil || Kinds(got) != tt.want {
				t.Fatalf("Imported = %q, %v; want %q", Kinds(got), err, tt.want)
			}
		})
	}
	if _, err := Imported(filepath.Join(t.TempDir(), "missing")); err == nil || !strings.HasPrefix(err.Error(), "scanning the app's sources for functions frameworks: ") {
		t.Fatalf("missing dir: %v", err)
	}
}

func TestUnionAndPackages(t *testing.T) {
	g, o := ForeignFrameworks[0], ForeignFrameworks[1]
	u := Union([]ForeignFramework{o}, []ForeignFramework{g, o})
	if Kinds(u) != "google,openfunction" || !reflect.DeepEqual(Packages(u), []string{"@google-cloud/functions-framework", "@openfunction/functions-framework"}) {
		t.Fatalf("Union = %v", u)
	}
	if Kinds(nil) != "" || Union() != nil {
		t.Fatal("empty")
	}
}

// WithoutDependencies drops the frameworks from what npm installs and keeps
// everything else (golden file).
func TestWithoutDependencies(t *testing.T) {
	in, err := os.ReadFile("testdata/without-frameworks.in.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := WithoutDependencies(in, Packages(ForeignFrameworks))
	if err != nil {
		t.Fatal(err)
	}
	golden := "testdata/without-frameworks.golden.json"
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
	var before, after map[string]any
	json.Unmarshal(in, &before)
	json.Unmarshal(got, &after)
	delete(before["dependencies"].(map[string]any), "@google-cloud/functions-framework")
	delete(before["dependencies"].(map[string]any), "@openfunction/functions-framework")
	delete(before["optionalDependencies"].(map[string]any), "@google-cloud/functions-framework")
	if !reflect.DeepEqual(before, after) {
		t.Fatalf("something else changed:\n%v\n%v", before, after)
	}
	for _, bad := range []string{`[]`, `{"dependencies":["x"]}`, `{`} {
		if _, err := WithoutDependencies([]byte(bad), []string{"x"}); err == nil || !strings.Contains(err.Error(), "package.json") {
			t.Errorf("%s: err = %v", bad, err)
		}
	}
}
