package projectdesc

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestGolden(t *testing.T) {
	for _, name := range []string{"v02", "v01"} {
		data, err := os.ReadFile(filepath.Join("testdata", name+".toml"))
		if err != nil {
			t.Fatal(err)
		}
		d, err := Parse(name+".toml", data)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := json.MarshalIndent(d, "", "  ")
		got = append(got, '\n')
		golden := filepath.Join("testdata", name+".golden.json")
		if *update {
			os.WriteFile(golden, got, 0o644)
		}
		if want, err := os.ReadFile(golden); err != nil || string(want) != string(got) {
			t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", name, golden, got)
		}
	}
}

// Bad descriptors fail naming the file and the field.
func TestErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"[_]\nschema-version = \"0.3\"\n", `project.toml: _.schema-version "0.3": kiln reads 0.1 and 0.2`},
		{"[io.buildpacks]\ninclude = [\"a\"]\n", `project.toml: [io.buildpacks] needs [_] schema-version = "0.2"`},
		{"[_]\nschema-version = \"0.2\"\n[build]\ninclude = [\"a\"]\n", "project.toml: [build] is schema 0.1"},
		{"[_]\nschema-version = \"0.2\"\n[io.buildpacks]\ninclude = [\"a\"]\nexclude = [\"b\"]\n", "io.buildpacks.include and io.buildpacks.exclude are both set"},
		{"[build]\ninclude = [\"a\"]\nexclude = [\"b\"]\n", "build.include and build.exclude are both set"},
		{"[_]\nschema-version = \"0.2\"\n[[io.buildpacks.build.env]]\nname = \"OK\"\n[[io.buildpacks.build.env]]\nname = \"NOT OK\"\n", `io.buildpacks.build.env[1].name "NOT OK"`},
		{"[[build.env]]\nvalue = \"x\"\n", `build.env[0].name ""`},
		{"[io.buildpacks\n", "project.toml: toml:"},
		{"[build]\ninclude = \"a\"\n", "project.toml: toml:"},
	} {
		_, err := Parse("project.toml", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	if _, found, err := Read(dir); found || err != nil {
		t.Errorf("no project.toml: found %v, %v", found, err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Read(dir); err == nil || !strings.Contains(err.Error(), "project.toml: larger than") {
		t.Errorf("oversized: %v", err)
	}
}
