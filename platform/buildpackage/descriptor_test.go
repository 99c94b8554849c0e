package buildpackage

import (
	"strings"
	"testing"
)

const sample = `# kiln/x: a comment that says version = "9.9.9"
api = "0.10"

[buildpack]
  id = "kiln/x"
  version = "0.1.0" # the source version
  name = "X"

[[targets]]
  os = "linux"
  arch = "amd64"

[metadata]
  framework-version = "0.1.0"
  [[metadata.dependencies]]
    version = "1.0.0"
    arch = "amd64"
`

func TestStampVersion(t *testing.T) {
	for _, tc := range []struct {
		name, in, version, want, err string
	}{
		{"stamps only [buildpack]", sample, "1.2.3", `  version = "1.2.3" # the source version`, ""},
		{"keeps framework-version", sample, "1.2.3", `framework-version = "0.1.0"`, ""},
		{"keeps other tables' version", sample, "1.2.3", `    version = "1.0.0"`, ""},
		{"pre-release", sample, "2.0.0-rc.1", `version = "2.0.0-rc.1"`, ""},
		{"leading v refused", sample, "v1.2.3", "", "no leading v"},
		{"not semver", sample, "latest", "", "semantic version"},
		{"no version line", "[buildpack]\n  id = \"x\"\n", "1.0.0", "", "found 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := StampVersion([]byte(tc.in), tc.version)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(got), tc.want) {
				t.Fatalf("missing %q in:\n%s", tc.want, got)
			}
			if strings.Count(string(got), "\n") != strings.Count(tc.in, "\n") {
				t.Fatal("line count changed")
			}
		})
	}
}

func TestRetargetArch(t *testing.T) {
	got, err := RetargetArch([]byte(sample), "arm64")
	if err != nil {
		t.Fatal(err)
	}
	s := string(got)
	if !strings.Contains(s, "[[targets]]\n  os = \"linux\"\n  arch = \"arm64\"") {
		t.Fatalf("target not retargeted:\n%s", s)
	}
	if !strings.Contains(s, "    arch = \"amd64\"") {
		t.Fatalf("[[metadata.dependencies]] arch must stay:\n%s", s)
	}
	if _, err := RetargetArch([]byte("[buildpack]\n id = \"x\"\n"), "arm64"); err == nil {
		t.Fatal("want an error without [[targets]]")
	}
}
