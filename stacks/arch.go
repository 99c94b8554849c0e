package stacks

import (
	"fmt"
	"runtime"
	"sort"
	"strings"
)

// Arch is a CPU architecture a stack can be built for: its Go/OCI name, its
// Debian name and its multiarch triplet (the directory under usr/lib).
type Arch struct {
	OCI, Debian, Triplet string
}

// arches are the architectures Kiln's stacks are built for.
var arches = map[string]Arch{
	"amd64": {OCI: "amd64", Debian: "amd64", Triplet: "x86_64-linux-gnu"},
	"arm64": {OCI: "arm64", Debian: "arm64", Triplet: "aarch64-linux-gnu"},
}

// HostArch is the architecture of this machine.
func HostArch() string { return runtime.GOARCH }

// ArchNamed returns the Arch for an OCI architecture name ("amd64", "arm64").
func ArchNamed(name string) (Arch, error) {
	a, ok := arches[name]
	if !ok {
		var known []string
		for k := range arches {
			known = append(known, k)
		}
		sort.Strings(known)
		return Arch{}, fmt.Errorf("architecture %q: not one Kiln's stacks are built for (%s)", name, strings.Join(known, ", "))
	}
	return a, nil
}

// expand replaces {triplet} in a stack.toml path with the arch's multiarch
// directory, so one filter list serves every architecture.
func (a Arch) expand(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = strings.ReplaceAll(p, "{triplet}", a.Triplet)
	}
	return out
}
