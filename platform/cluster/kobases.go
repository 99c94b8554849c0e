package cluster

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// The images ko builds on: Kiln's run-static for every program, except
// the import paths an addon names in bases, which need more at run time
// than a static binary does (Shipwright's git step execs git and sh: it
// gets Kiln's git service image). All of them are in kiln's registry,
// which the node pulls from, and ko's images carry their layers.

// gitServiceRepo is Kiln's git service image (stacks/services: git with
// its HTTP(S) transport, sh, coreutils, sed; uid 1000), pushed by `kiln
// stack build --stack stacks/services`.
const gitServiceRepo = "kiln/stack/git:services"

// koBase is one base image in kiln's registry: its repository (no tag)
// and digest.
type koBase struct{ repo, digest string }

func (b koBase) ref() string { return b.repo + "@" + b.digest }

// koBases are an addon's base images: def (run-static) and, by import
// path, the addon's own.
type koBases struct {
	def  koBase
	over map[string]koBase
}

// digestFor is the digest of the base ko builds importPath on.
func (b koBases) digestFor(importPath string) string {
	if o, ok := b.over[importPath]; ok {
		return o.digest
	}
	return b.def.digest
}

// config is Kiln's .ko.yaml: every base by digest, overrides sorted.
func (b koBases) config() string {
	var s strings.Builder
	s.WriteString("defaultBaseImage: " + b.def.ref() + "\n")
	if len(b.over) > 0 {
		s.WriteString("baseImageOverrides:\n")
		for _, p := range slices.Sorted(maps.Keys(b.over)) {
			s.WriteString("  " + p + ": " + b.over[p].ref() + "\n")
		}
	}
	return s.String()
}

// resolveBases finds run-static and a's bases in kiln's registry reg, by
// digest; a missing one is an error naming the command that builds it.
func resolveBases(reg string, a addon) (koBases, error) {
	def, err := headBase(reg, runStaticRepo)
	if err != nil {
		return koBases{}, err
	}
	b := koBases{def: def}
	for _, p := range slices.Sorted(maps.Keys(a.bases)) {
		o, err := headBase(reg, a.bases[p])
		if err != nil {
			return koBases{}, fmt.Errorf("%w (%s's %s is built on it)", err, a.name, p)
		}
		if b.over == nil {
			b.over = map[string]koBase{}
		}
		b.over[p] = o
	}
	return b, nil
}

// headBase is repo:tag of kiln's registry reg by digest.
func headBase(reg, repoTag string) (koBase, error) {
	return registryImage(reg, repoTag, "ko's base image")
}

// registryImage is the stack image repo:tag of kiln's registry reg by
// digest; a missing one is an error naming what needs it and the command
// that pushes it.
func registryImage(reg, repoTag, what string) (koBase, error) {
	ref := reg + "/" + repoTag
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		return koBase{}, err
	}
	d, err := remote.Head(r)
	if err != nil {
		return koBase{}, fmt.Errorf("cluster: %s %s is not in kiln's registry (run `%s`): %w", what, ref, stackBuildCommand(repoTag), err)
	}
	return koBase{repo: r.Context().Name(), digest: d.Digest.String()}, nil
}

// stackBuildCommand is what pushes a stack image into kiln's registry.
func stackBuildCommand(repoTag string) string {
	if strings.HasSuffix(repoTag, ":services") {
		return "kiln stack build --stack stacks/services"
	}
	return "kiln stack build"
}
