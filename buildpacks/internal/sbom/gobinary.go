package sbom

import (
	"debug/buildinfo"
	"fmt"
	"strings"
)

// GoBinary lists the Go modules compiled into the binary at path (from its
// build info: the main module, every dependency, replacements resolved) and
// the Go toolchain that built it. When goroot holds kiln/go-dist's record
// (GoToolchainRecordFile) of that same Go version, the toolchain component
// carries the record's module, SHA-256 and checksum-database hash.
func GoBinary(path, goroot string) ([]Component, error) {
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sbom: reading the Go build info of %s: %w", path, err)
	}
	goVersion := strings.TrimPrefix(strings.Fields(info.GoVersion + " ")[0], "go")
	toolchain := Component{Type: "platform", Name: "go", Version: goVersion, PURL: GolangPURL("golang.org/toolchain", "v0.0.1-go"+goVersion)}
	if goroot != "" {
		rec, ok, err := ReadGoToolchain(goroot)
		if err != nil {
			return nil, err
		}
		if ok && rec.GoVersion == goVersion {
			toolchain = rec.Component()
		}
	}
	comps := []Component{toolchain}
	if info.Main.Path != "" {
		v := info.Main.Version
		if v == "(devel)" {
			v = ""
		}
		comps = append(comps, Component{Type: "application", Name: info.Main.Path, Version: v, PURL: GolangPURL(info.Main.Path, v)})
	}
	for _, d := range info.Deps {
		m := d
		if d.Replace != nil {
			m = d.Replace
		}
		c := Component{Name: m.Path, Version: m.Version, PURL: GolangPURL(m.Path, m.Version)}
		// go.sum's h1: hash, which go checked the module against: a hash
		// of the module's file tree, so a property, not a CycloneDX hash.
		if strings.HasPrefix(m.Sum, "h1:") {
			c.Properties = GoSum(m.Sum)
		}
		comps = append(comps, c)
	}
	return comps, nil
}
