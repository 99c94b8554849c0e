package gomod

import (
	"strings"
	"testing"
)

// FuzzParse: any go.mod text parses or fails with an error naming go.mod;
// a parsed file formats to text that parses to the same module, directives
// and requirements; adding the framework requirement round-trips too.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"module a.b/c\n\ngo 1.22\n",
		"module a.b/c\n\ngo 1.21.3\n\ntoolchain go1.23.1\n\nrequire (\n\tx.y/z v1.2.3 // indirect\n)\n\nreplace x.y/z => ./z\n",
		"module a.b/c\nrequire (\n",
		"module \"a b\"\n",
		"module a\ngo 1.x\n",
		"module a\ntoolchain 1.22\n",
		"module a\nexclude x.y/z v1.0.0\nretract v0.1.0\ngodebug default=go1.21\ntool x.y/z/cmd\n",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		const p = "/app/go.mod"
		mf, err := Parse(p, []byte(content))
		if err != nil {
			if !strings.Contains(err.Error(), "go.mod") {
				t.Fatalf("error does not name go.mod: %v", err)
			}
			return
		}
		out, err := mf.Format()
		if err != nil {
			t.Fatalf("formatting a parsed go.mod: %v", err)
		}
		again, err := Parse(p, out)
		if err != nil {
			t.Fatalf("formatted go.mod does not parse: %v\n%s", err, out)
		}
		if again.Module.Mod.Path != mf.Module.Mod.Path || again.GoDirective() != mf.GoDirective() || again.ToolchainDirective() != mf.ToolchainDirective() || len(again.Require) != len(mf.Require) {
			t.Fatalf("round trip changed the file:\n%q\n%q", content, out)
		}
		for _, r := range mf.Require {
			if again.Requirement(r.Mod.Path) == "" {
				t.Fatalf("round trip lost require %s", r.Mod.Path)
			}
		}
		withFw, err := mf.withRequire("kiln.dev/functions-framework-go", "v0.1.0")
		if err != nil {
			return // e.g. the module already requires it at a version x/mod cannot merge
		}
		third, err := Parse(p, withFw)
		if err != nil {
			t.Fatalf("go.mod with the framework required does not parse: %v\n%s", err, withFw)
		}
		if third.Requirement("kiln.dev/functions-framework-go") != "v0.1.0" || third.Module.Mod.Path != mf.Module.Mod.Path {
			t.Fatalf("adding the requirement lost something:\n%s", withFw)
		}
	})
}
