package builder

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// packaged lays out buildpacks as kiln buildpack package does.
func packaged(t *testing.T, versions map[string]string) string {
	dir := t.TempDir()
	for id, v := range versions {
		if err := os.MkdirAll(filepath.Join(dir, strings.ReplaceAll(id, "/", "_"), v, "bin"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRenderGoBuilderGolden(t *testing.T) {
	bps := packaged(t, map[string]string{"kiln/go-dist": "1.2.3", "kiln/go-function": "1.2.3", "kiln/go-build": "1.2.3"})
	opts := Options{Name: "go", Source: "../..", BuildpacksDir: bps, Arch: "arm64",
		StackImage:      func(n string) string { return "registry.example/kiln/stack/" + n + ":1.2.3" },
		RunImageMirrors: func(n string) []string { return []string{"mirror.example/kiln/stack/" + n + ":1.2.3"} }}
	got, err := Render(opts, "/tmp/lifecycle.tgz")
	if err != nil {
		t.Fatal(err)
	}
	got = []byte(strings.ReplaceAll(string(got), bps, "BUILDPACKS"))
	path := filepath.Join("testdata", "builder-go-arm64.toml")
	if *update {
		os.WriteFile(path, got, 0o644)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if string(got) != string(want) {
		t.Fatalf("rendered builder differs from %s:\n%s", path, got)
	}
}

func TestRenderEveryBuilder(t *testing.T) {
	bps := packaged(t, map[string]string{"kiln/go-dist": "0.1.0", "kiln/go-function": "0.1.0", "kiln/go-build": "0.1.0",
		"kiln/node-engine": "0.1.0", "kiln/npm-install": "0.1.0", "kiln/node-function": "0.1.0", "kiln/python-function": "0.1.0", "kiln/java-function": "0.1.0"})
	for _, name := range []string{"go", "node", "python", "java"} {
		opts := Options{Name: name, Source: "../..", BuildpacksDir: bps, Arch: "amd64"}
		opts.Registry("127.0.0.1:5000")
		got, err := Render(opts, "/l.tgz")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !strings.Contains(string(got), `image = "127.0.0.1:5000/kiln/stack/run-`) || !strings.Contains(string(got), "mirrors = []") {
			t.Errorf("%s: run image or mirrors not rendered:\n%s", name, got)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	two := packaged(t, map[string]string{"kiln/python-function": "0.1.0"})
	os.MkdirAll(filepath.Join(two, "kiln_python-function", "0.2.0"), 0o755)
	for _, tc := range []struct {
		name, bps, want string
		stack           bool
	}{
		{"missing buildpack", t.TempDir(), "kiln/python-function is not packaged", true},
		{"two versions", two, "want one packaged version", true},
		{"no stack registry", packaged(t, map[string]string{"kiln/python-function": "0.1.0"}), `no stack registry given for "build"`, false},
	} {
		opts := Options{Name: "python", Source: "../..", BuildpacksDir: tc.bps}
		if tc.stack {
			opts.Registry("r.example")
		}
		if _, err := Render(opts, "/l.tgz"); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}
