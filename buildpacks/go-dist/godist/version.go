package godist

import (
	"fmt"
	"go/version"
	"regexp"
	"sort"
	"strings"
)

// Source says where a chosen Go version came from, for the build log.
type Source string

const (
	FromEnv       Source = "BP_GO_VERSION"
	FromToolchain Source = "go.mod toolchain line"
	FromGo        Source = "newest pinned Go; go.mod's go line is a minimum"
	FromDefault   Source = "newest pinned Go; no go line in go.mod"
)

// VersionInputs is everything that decides the Go version.
type VersionInputs struct {
	Env         string   // BP_GO_VERSION
	Toolchain   string   // go.mod toolchain, without "go"
	GoDirective string   // go.mod go
	Pinned      []string // buildpack.toml versions: the newest patch of each minor
}

// release is a Go release as BP_GO_VERSION or go.mod names it.
var release = regexp.MustCompile(`^1\.(0|[1-9]\d{0,3})(\.(0|[1-9]\d{0,3}))?((rc|beta)[1-9]\d{0,2})?$`)

// ResolveVersion picks the Go release to install: BP_GO_VERSION, else the
// toolchain line, else the newest pinned release, which must satisfy the go
// line (since Go 1.21 a minimum). A version without a patch ("1.25") means
// the newest pinned 1.25.x. The go line is checked against every choice: the
// go command refuses a module that needs a newer Go than it is.
func ResolveVersion(in VersionInputs) (string, Source, error) {
	pinned, err := sortPinned(in.Pinned)
	if err != nil {
		return "", "", err
	}
	goLine := strings.TrimSpace(in.GoDirective)
	switch env, tc := strings.TrimSpace(in.Env), strings.TrimSpace(in.Toolchain); {
	case env != "":
		v, err := pick(strings.TrimPrefix(env, "go"), pinned)
		if err != nil {
			return "", "", fmt.Errorf("BP_GO_VERSION=%q %w", in.Env, err)
		}
		if goLine != "" && version.Compare("go"+v, "go"+goLine) < 0 {
			return "", "", fmt.Errorf("BP_GO_VERSION=%q is older than go.mod's `go %s`, which is a minimum: set BP_GO_VERSION to %s or newer, or unset it to build with the newest pinned Go", in.Env, goLine, goLine)
		}
		return v, FromEnv, nil
	case tc != "" && tc != "default":
		v, err := pick(tc, pinned)
		if err != nil {
			return "", "", fmt.Errorf("go.mod: `toolchain go%s` %w; or set BP_GO_VERSION", tc, err)
		}
		return v, FromToolchain, nil
	case goLine != "":
		if !version.IsValid("go" + goLine) {
			return "", "", fmt.Errorf("go.mod: `go %s` is not a Go version: write e.g. `go 1.26`", goLine)
		}
		if len(pinned) == 0 {
			return "", "", errNothingPinned
		}
		if version.Compare("go"+pinned[0], "go"+goLine) < 0 {
			return "", "", fmt.Errorf("go.mod says `go %s`, newer than every Go kiln/go-dist pins (newest: %s): set BP_GO_VERSION to a Go release of at least %s that your GOPROXY serves, or update kiln/go-dist", goLine, pinned[0], goLine)
		}
		return pinned[0], FromGo, nil
	}
	if len(pinned) == 0 {
		return "", "", errNothingPinned
	}
	return pinned[0], FromDefault, nil
}

var errNothingPinned = fmt.Errorf("buildpack.toml of kiln/go-dist pins no Go versions ([metadata] versions): the buildpack is broken; set BP_GO_VERSION to build anyway")

// pick turns a release ("1.25.3", "1.27rc1") into itself and a minor ("1.25")
// into its newest pinned patch.
func pick(v string, pinned []string) (string, error) {
	if !release.MatchString(v) {
		return "", fmt.Errorf("is not a Go release: write e.g. 1.26.8, or 1.26 for the newest pinned 1.26.x")
	}
	if strings.Count(v, ".") == 2 || strings.ContainsAny(v, "rcbeta") {
		return v, nil
	}
	for _, p := range pinned {
		if strings.HasPrefix(p, v+".") {
			return p, nil
		}
	}
	if version.Compare("go"+v, "go1.21") < 0 {
		return v, nil // before Go 1.21 a minor's first release is named "1.N" itself
	}
	return "", fmt.Errorf("names no patch release, and kiln/go-dist pins no %s.x (it pins %s): give the full version, e.g. %s.0", v, strings.Join(pinned, ", "), v)
}

// sortPinned checks buildpack.toml's list and orders it newest first.
func sortPinned(pinned []string) ([]string, error) {
	out := append([]string(nil), pinned...)
	for _, p := range out {
		if !release.MatchString(p) || strings.Count(p, ".") != 2 {
			return nil, fmt.Errorf("buildpack.toml of kiln/go-dist pins %q, which is not a Go patch release (e.g. 1.26.8)", p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return version.Compare("go"+out[i], "go"+out[j]) > 0 })
	return out, nil
}

// Describe is the build log's line for the chosen version.
func Describe(v string, src Source, in VersionInputs) string {
	switch src {
	case FromEnv:
		return fmt.Sprintf("Go %s (BP_GO_VERSION=%s)", v, strings.TrimSpace(in.Env))
	case FromToolchain:
		return fmt.Sprintf("Go %s (go.mod: toolchain go%s)", v, strings.TrimSpace(in.Toolchain))
	case FromGo:
		return fmt.Sprintf("Go %s (the newest pinned; go.mod's go %s is a minimum)", v, strings.TrimSpace(in.GoDirective))
	}
	return fmt.Sprintf("Go %s (the newest pinned; go.mod has no go line)", v)
}
