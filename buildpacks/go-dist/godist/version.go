package godist

import (
	"fmt"
	"regexp"
	"strings"
)

// Source says where a chosen Go version came from, for the build log.
type Source string

const (
	FromEnv       Source = "BP_GO_VERSION"
	FromToolchain Source = "go.mod toolchain directive"
	FromGo        Source = "go.mod go directive"
	FromDefault   Source = "buildpack default"
)

// VersionInputs is everything that decides the Go version.
type VersionInputs struct {
	Env           string            // BP_GO_VERSION
	Toolchain     string            // go.mod toolchain, without "go"
	GoDirective   string            // go.mod go
	Default       string            // buildpack.toml default-version
	LatestPatches map[string]string // "1.25" -> "1.25.12"
}

var release = regexp.MustCompile(`^1\.\d+(\.\d+)?((rc|beta)\d+)?$`)

// ResolveVersion picks the Go release to install.
func ResolveVersion(in VersionInputs) (string, Source, error) {
	switch {
	case in.Env != "":
		v, err := complete(strings.TrimPrefix(strings.TrimSpace(in.Env), "go"), in.LatestPatches)
		if err != nil {
			return "", "", fmt.Errorf("BP_GO_VERSION=%q: %w", in.Env, err)
		}
		return v, FromEnv, nil
	case in.Toolchain != "" && in.Toolchain != "default" && in.Toolchain != "local":
		v, err := complete(in.Toolchain, in.LatestPatches)
		if err != nil {
			return "", "", fmt.Errorf("go.mod toolchain go%s: %w", in.Toolchain, err)
		}
		return v, FromToolchain, nil
	case in.GoDirective != "":
		v, err := complete(in.GoDirective, in.LatestPatches)
		if err != nil {
			return "", "", fmt.Errorf("go.mod go %s: %w", in.GoDirective, err)
		}
		return v, FromGo, nil
	case in.Default != "":
		return in.Default, FromDefault, nil
	}
	return "", "", fmt.Errorf("no Go version: set BP_GO_VERSION (e.g. 1.26.8) or a go directive in go.mod")
}

// complete turns "1.25" into its latest known patch; before Go 1.21 a go
// directive has no patch and the first release was "1.N" itself.
func complete(v string, latest map[string]string) (string, error) {
	if !release.MatchString(v) {
		return "", fmt.Errorf("not a Go release version (want e.g. 1.26.8 or 1.26)")
	}
	parts := strings.Split(v, ".")
	if len(parts) == 3 || strings.ContainsAny(v, "rcbeta") {
		return v, nil
	}
	if p, ok := latest[v]; ok {
		return p, nil
	}
	var minor int
	fmt.Sscanf(parts[1], "%d", &minor)
	if minor >= 21 {
		return v + ".0", nil
	}
	return v, nil
}
