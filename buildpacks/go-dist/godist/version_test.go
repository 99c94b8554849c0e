package godist

import (
	"strings"
	"testing"
)

func TestResolveVersion(t *testing.T) {
	latest := map[string]string{"1.25": "1.25.12"}
	for _, tt := range []struct {
		name    string
		in      VersionInputs
		want    string
		source  Source
		wantErr string
	}{
		{"env wins", VersionInputs{Env: "1.24.3", Toolchain: "1.25.1", GoDirective: "1.25", Default: "1.26.8"}, "1.24.3", FromEnv, ""},
		{"env with go prefix", VersionInputs{Env: "go1.24.3"}, "1.24.3", FromEnv, ""},
		{"env minor only", VersionInputs{Env: "1.25", LatestPatches: latest}, "1.25.12", FromEnv, ""},
		{"toolchain", VersionInputs{Toolchain: "1.25.1", GoDirective: "1.24", Default: "1.26.8"}, "1.25.1", FromToolchain, ""},
		{"toolchain default ignored", VersionInputs{Toolchain: "default", GoDirective: "1.24.2"}, "1.24.2", FromGo, ""},
		{"go directive latest patch", VersionInputs{GoDirective: "1.25", LatestPatches: latest}, "1.25.12", FromGo, ""},
		{"go directive unknown minor", VersionInputs{GoDirective: "1.30"}, "1.30.0", FromGo, ""},
		{"old go directive", VersionInputs{GoDirective: "1.19"}, "1.19", FromGo, ""},
		{"rc", VersionInputs{Env: "1.27rc1"}, "1.27rc1", FromEnv, ""},
		{"default", VersionInputs{Default: "1.26.8"}, "1.26.8", FromDefault, ""},
		{"bad env", VersionInputs{Env: "latest"}, "", "", `BP_GO_VERSION="latest": not a Go release`},
		{"nothing", VersionInputs{}, "", "", "set BP_GO_VERSION"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, src, err := ResolveVersion(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want || src != tt.source {
				t.Fatalf("got %q from %q (err %v), want %q from %q", got, src, err, tt.want, tt.source)
			}
		})
	}
}
