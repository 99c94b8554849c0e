package gomod

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, content string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestDirectives(t *testing.T) {
	for _, tt := range []struct{ content, goV, tc string }{
		{"module a.b/c\n\ngo 1.22\n", "1.22", ""},
		{"module a.b/c\n\ngo 1.21.3\n\ntoolchain go1.23.1\n", "1.21.3", "1.23.1"},
		{"module a.b/c\n\ntoolchain default\n", "", "default"},
		{"module a.b/c\n", "", ""},
	} {
		f, err := Read(write(t, tt.content))
		if err != nil {
			t.Fatal(err)
		}
		if f.GoDirective() != tt.goV || f.ToolchainDirective() != tt.tc {
			t.Errorf("%q: go=%q toolchain=%q, want %q %q", tt.content, f.GoDirective(), f.ToolchainDirective(), tt.goV, tt.tc)
		}
	}
}

func TestRequirement(t *testing.T) {
	f, err := Read(write(t, "module a.b/c\n\nrequire (\n\tx.y/z v1.2.3\n\tkiln.dev/f v0.1.0\n)\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Requirement("kiln.dev/f") != "v0.1.0" || f.Requirement("x.y/z") != "v1.2.3" || f.Requirement("none") != "" {
		t.Fatalf("requirements: %v", f.Require)
	}
}

func TestAddRequireKeepsReplace(t *testing.T) {
	dir := write(t, "module a.b/c\n\ngo 1.22\n\n// keep me\nreplace x.y/z => ./z\n")
	f, err := Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.AddRequire("kiln.dev/functions-framework-go", "v0.1.0"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	for _, want := range []string{"// keep me", "replace x.y/z => ./z", "require kiln.dev/functions-framework-go v0.1.0"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("go.mod lost %q:\n%s", want, b)
		}
	}
	if err := f.AddRequire("kiln.dev/functions-framework-go", "latest"); err == nil || !strings.Contains(err.Error(), "go.mod: adding require kiln.dev/functions-framework-go latest: ") {
		t.Fatalf("bad version err = %v", err)
	}
}

// Every malformed go.mod is reported with the file, the line and the fix.
func TestReadErrors(t *testing.T) {
	for _, tt := range []struct{ name, content, want string }{
		{"syntax error", "module a.b/c\n\nrequire (\n", "go.mod is not valid: GOMOD:4: syntax error (unterminated block started at GOMOD:3:1); fix the line named (`go mod edit -fmt` checks the whole file)"},
		{"unknown directive", "modul a.b/c\n", "go.mod is not valid: GOMOD:1: unknown directive: modul; fix the line named (`go mod edit -fmt` checks the whole file)"},
		{"missing module line", "go 1.22\n", "GOMOD has no module line: add `module example.com/yourfunction` at the top"},
		{"empty file", "", "GOMOD has no module line: add `module example.com/yourfunction` at the top"},
		{"module without path", "module\n", "go.mod is not valid: GOMOD:1: usage: module module/path; write the module line as `module example.com/yourfunction`"},
		{"module path with a space", "module \"a b\"\n", "GOMOD: module path \"a b\" is not a valid import path (malformed import path \"a b\": invalid char ' '): write it like `module example.com/yourfunction`"},
		{"bad go directive", "module a.b/c\n\ngo 1.x\n", "go.mod is not valid: GOMOD:3: invalid go version '1.x': must match format 1.23.0; write the go line as a Go release, e.g. `go 1.26` or `go 1.26.0`"},
		{"go directive with a go prefix", "module a.b/c\n\ngo go1.22\n", "go.mod is not valid: GOMOD:3: invalid go version 'go1.22': must match format 1.23.0; write the go line as a Go release, e.g. `go 1.26` or `go 1.26.0`"},
		{"repeated go directive", "module a.b/c\ngo 1.22\ngo 1.23\n", "go.mod is not valid: GOMOD:3: repeated go statement; fix the line named (`go mod edit -fmt` checks the whole file)"},
		{"toolchain without go prefix", "module a.b/c\n\ngo 1.22\n\ntoolchain 1.22.3\n", "go.mod is not valid: GOMOD:5: invalid toolchain version '1.22.3': must match format go1.23.0 or default; write the toolchain line as `toolchain go1.26.0` (or `toolchain default`), or remove it"},
		{"toolchain local", "module a.b/c\n\ntoolchain local\n", "go.mod is not valid: GOMOD:3: invalid toolchain version 'local': must match format go1.23.0 or default; write the toolchain line as `toolchain go1.26.0` (or `toolchain default`), or remove it"},
		{"NUL byte", "module a.b/c\n\x00\n", "go.mod is not valid: GOMOD:2: unexpected input character '\\x00'; fix the line named (`go mod edit -fmt` checks the whole file)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := write(t, tt.content)
			want := strings.ReplaceAll(tt.want, "GOMOD", filepath.Join(dir, "go.mod"))
			if _, err := Read(dir); err == nil || err.Error() != want {
				t.Fatalf("err = %v\nwant  %s", err, want)
			}
		})
	}
	if _, err := Read(t.TempDir()); !os.IsNotExist(err) {
		t.Fatalf("missing go.mod: err = %v, want a not-exist error", err)
	}
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "go.mod"), 0o755)
	if _, err := Read(dir); err == nil || !strings.HasPrefix(err.Error(), "go.mod: reading "+filepath.Join(dir, "go.mod")+": ") {
		t.Fatalf("go.mod directory: err = %v", err)
	}
}
