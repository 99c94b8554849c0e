package godist

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

var pinned = []string{"1.25.14", "1.27.4", "1.26.11", "1.24.13", "1.21.13"}

func TestResolveVersion(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      VersionInputs
		want    string
		source  Source
		wantErr string
	}{
		{"env wins", VersionInputs{Env: "1.24.3", Toolchain: "1.25.1", GoDirective: "1.24"}, "1.24.3", FromEnv, ""},
		{"env with go prefix", VersionInputs{Env: "go1.24.3"}, "1.24.3", FromEnv, ""},
		{"env minor takes the pinned patch", VersionInputs{Env: "1.25"}, "1.25.14", FromEnv, ""},
		{"env rc", VersionInputs{Env: "1.28rc1"}, "1.28rc1", FromEnv, ""},
		{"env old minor is its own release", VersionInputs{Env: "1.17"}, "1.17", FromEnv, ""},
		{"env unpinned old patch", VersionInputs{Env: "1.17.13"}, "1.17.13", FromEnv, ""},
		{"env equal to the go line", VersionInputs{Env: "1.25.0", GoDirective: "1.25.0"}, "1.25.0", FromEnv, ""},
		{"toolchain line", VersionInputs{Toolchain: "1.25.1", GoDirective: "1.24"}, "1.25.1", FromToolchain, ""},
		{"toolchain minor takes the pinned patch", VersionInputs{Toolchain: "1.26"}, "1.26.11", FromToolchain, ""},
		{"toolchain default ignored", VersionInputs{Toolchain: "default", GoDirective: "1.24.2"}, "1.27.4", FromGo, ""},
		{"go 1.17 gets the newest pinned, not 1.17", VersionInputs{GoDirective: "1.17"}, "1.27.4", FromGo, ""},
		{"go 1.25 is a minimum", VersionInputs{GoDirective: "1.25"}, "1.27.4", FromGo, ""},
		{"go line equal to the newest", VersionInputs{GoDirective: "1.27.4"}, "1.27.4", FromGo, ""},
		{"no go line", VersionInputs{}, "1.27.4", FromDefault, ""},

		{"env not a version", VersionInputs{Env: "latest"}, "", "", `BP_GO_VERSION="latest" is not a Go release: write e.g. 1.26.8, or 1.26 for the newest pinned 1.26.x`},
		{"env semver", VersionInputs{Env: "v1.26.0"}, "", "", `BP_GO_VERSION="v1.26.0" is not a Go release: write e.g. 1.26.8, or 1.26 for the newest pinned 1.26.x`},
		{"env range", VersionInputs{Env: ">=1.25"}, "", "", `BP_GO_VERSION=">=1.25" is not a Go release`},
		{"env go2", VersionInputs{Env: "2.0.0"}, "", "", `BP_GO_VERSION="2.0.0" is not a Go release`},
		{"env unpinned minor", VersionInputs{Env: "1.23"}, "", "", `BP_GO_VERSION="1.23" names no patch release, and kiln/go-dist pins no 1.23.x (it pins 1.27.4, 1.26.11, 1.25.14, 1.24.13, 1.21.13): give the full version, e.g. 1.23.0`},
		{"env older than the go line", VersionInputs{Env: "1.24.3", GoDirective: "1.25"}, "", "", "BP_GO_VERSION=\"1.24.3\" is older than go.mod's `go 1.25`, which is a minimum: set BP_GO_VERSION to 1.25 or newer, or unset it to build with the newest pinned Go"},
		{"toolchain not a release", VersionInputs{Toolchain: "1.26-custom"}, "", "", "go.mod: `toolchain go1.26-custom` is not a Go release: write e.g. 1.26.8, or 1.26 for the newest pinned 1.26.x; or set BP_GO_VERSION"},
		{"go line newer than every pinned Go", VersionInputs{GoDirective: "1.30"}, "", "", "go.mod says `go 1.30`, newer than every Go kiln/go-dist pins (newest: 1.27.4): set BP_GO_VERSION to a Go release of at least 1.30 that your GOPROXY serves, or update kiln/go-dist"},
		{"go line rc newer than every pinned Go", VersionInputs{GoDirective: "1.28rc1"}, "", "", "go.mod says `go 1.28rc1`, newer than every Go kiln/go-dist pins"},
		{"go line not a version", VersionInputs{GoDirective: "1.x"}, "", "", "go.mod: `go 1.x` is not a Go version: write e.g. `go 1.26`"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Pinned = pinned
			got, src, err := ResolveVersion(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v\nwant  %s", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || src != tt.source {
				t.Fatalf("got %q from %q (err %v), want %q from %q", got, src, err, tt.want, tt.source)
			}
		})
	}
}

func TestPinnedListErrors(t *testing.T) {
	for _, tt := range []struct {
		pinned []string
		want   string
	}{
		{nil, "buildpack.toml of kiln/go-dist pins no Go versions ([metadata] versions): the buildpack is broken; set BP_GO_VERSION to build anyway"},
		{[]string{}, "buildpack.toml of kiln/go-dist pins no Go versions ([metadata] versions): the buildpack is broken; set BP_GO_VERSION to build anyway"},
		{[]string{"1.27"}, `buildpack.toml of kiln/go-dist pins "1.27", which is not a Go patch release (e.g. 1.26.8)`},
	} {
		if _, _, err := ResolveVersion(VersionInputs{Pinned: tt.pinned}); err == nil || err.Error() != tt.want {
			t.Errorf("pinned %q: err = %v", tt.pinned, err)
		}
	}
	if _, _, err := ResolveVersion(VersionInputs{GoDirective: "1.22"}); err == nil || err.Error() != errNothingPinned.Error() {
		t.Errorf("go line, nothing pinned: err = %v", err)
	}
	if _, _, err := ResolveVersion(VersionInputs{Env: "1.21", Pinned: []string{"1.27.4"}}); err == nil || !strings.Contains(err.Error(), "pins no 1.21.x") {
		t.Errorf("BP_GO_VERSION=1.21 with no 1.21.x pinned: err = %v", err)
	}
	if v, _, err := ResolveVersion(VersionInputs{Env: "1.20", Pinned: []string{"1.27.4"}}); err != nil || v != "1.20" {
		t.Errorf("BP_GO_VERSION=1.20 is the release go1.20: %q %v", v, err)
	}
	if v, _, err := ResolveVersion(VersionInputs{Env: "1.26.1"}); err != nil || v != "1.26.1" {
		t.Errorf("BP_GO_VERSION with nothing pinned: %q %v", v, err)
	}
}

// The build log's version line for each way a version is chosen (golden).
func TestDescribeGolden(t *testing.T) {
	var out strings.Builder
	for _, in := range []VersionInputs{
		{Env: "1.25"}, {Env: " go1.24.3 ", GoDirective: "1.22"}, {Toolchain: "1.26.2", GoDirective: "1.25"},
		{GoDirective: "1.17"}, {GoDirective: "1.26"}, {}, {Toolchain: "default", GoDirective: "1.21"},
	} {
		in.Pinned = pinned
		v, src, err := ResolveVersion(in)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%-55s => %s\n", fmt.Sprintf("BP_GO_VERSION=%q toolchain=%q go=%q", in.Env, in.Toolchain, in.GoDirective), Describe(v, src, in))
	}
	golden := filepath.Join("testdata", "describe.golden")
	if *update {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, []byte(out.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once)", err)
	}
	if out.String() != string(want) {
		t.Fatalf("got:\n%s\nwant (%s):\n%s", out.String(), golden, want)
	}
}

// FuzzResolveVersion: any BP_GO_VERSION, toolchain and go line give a
// release that satisfies the go line, or an error naming what was wrong;
// never a panic.
func FuzzResolveVersion(f *testing.F) {
	for _, s := range [][3]string{{"1.25", "", ""}, {"", "1.26.2", "1.25"}, {"", "", "1.17"}, {"latest", "", ""}, {"", "", "1.30"}, {"1.24.3", "", "1.25"}, {"go1.27rc1", "", ""}, {"", "default", "1.x"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, env, toolchain, goLine string) {
		in := VersionInputs{Env: env, Toolchain: toolchain, GoDirective: goLine, Pinned: pinned}
		v, src, err := ResolveVersion(in)
		if err != nil {
			if !strings.Contains(err.Error(), "BP_GO_VERSION") && !strings.Contains(err.Error(), "go.mod") {
				t.Fatalf("error names neither BP_GO_VERSION nor go.mod: %v", err)
			}
			return
		}
		if !release.MatchString(v) {
			t.Fatalf("resolved %q, not a Go release", v)
		}
		if src != FromToolchain && strings.TrimSpace(goLine) != "" && !strings.HasPrefix(v, "1.") {
			t.Fatalf("resolved %q", v)
		}
		if src == FromGo || src == FromDefault {
			if v != "1.27.4" {
				t.Fatalf("the default is %q, not the newest pinned", v)
			}
		}
	})
}
