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
}

func TestReadErrors(t *testing.T) {
	if _, err := Read(write(t, "go 1.22\n")); err == nil || !strings.Contains(err.Error(), "no module line") {
		t.Fatalf("err = %v", err)
	}
	if _, err := Read(write(t, "module\n")); err == nil || !strings.Contains(err.Error(), "not valid") {
		t.Fatalf("err = %v", err)
	}
}
