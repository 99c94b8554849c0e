package ignore

import (
	"flag"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func TestMatch(t *testing.T) {
	for _, tc := range []struct {
		patterns string
		path     string
		dir      bool
		want     bool
	}{
		{"*.log", "a.log", false, true},
		{"*.log", "x/y/a.log", false, true},
		{"*.log", "a.logs", false, false},
		{"/dist", "dist", true, true},
		{"/dist", "src/dist", true, false},
		{"/dist", "dist/x.js", false, true}, // inside a left-out directory
		{"build/", "build", true, true},
		{"build/", "build", false, false}, // a file named build stays
		{"build/", "a/build/x", false, true},
		{"a/*/c", "a/b/c", false, true},
		{"a/*/c", "a/b/x/c", false, false},
		{"a/**/c", "a/b/x/c", false, true},
		{"a/**/c", "a/c", false, true},
		{"**/foo", "x/y/foo", false, true},
		{"foo/**", "foo/x/y", false, true},
		{"*.md\n!README.md", "README.md", false, false},
		{"*.md\n!README.md", "x.md", false, true},
		{"docs/\n!docs/a.md", "docs/a.md", false, true}, // git cannot re-include below a left-out dir
		{"# comment\n\n", "# comment", false, false},
		{`\#x`, "#x", false, true},
		{`\!x`, "!x", false, true},
		{"a\\ ", "a ", false, true},
		{"a   ", "a", false, true},
		{"[ab].txt", "b.txt", false, true},
		{"?.txt", "ab.txt", false, false},
		{"x", "", true, false},
	} {
		m, err := Parse(".kilnignore", []byte(tc.patterns))
		if err != nil {
			t.Fatalf("%q: %v", tc.patterns, err)
		}
		if got := m.Match(tc.path, tc.dir); got != tc.want {
			t.Errorf("patterns %q, path %q (dir %v): left out %v, want %v", tc.patterns, tc.path, tc.dir, got, tc.want)
		}
	}
}

// TestSample runs a .kilnignore over a listed tree; the golden file is what
// stays.
func TestSample(t *testing.T) {
	m, err := ReadFile(filepath.Join("testdata", "sample.kilnignore"))
	if err != nil {
		t.Fatal(err)
	}
	tree, err := os.ReadFile(filepath.Join("testdata", "tree.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var kept strings.Builder
	for _, p := range strings.Split(strings.TrimSpace(string(tree)), "\n") {
		dir := p == "dist" || p == "lib/node_modules"
		if !m.Match(p, dir) {
			kept.WriteString(p + "\n")
		}
	}
	golden := filepath.Join("testdata", "sample.kept.txt")
	if *update {
		os.WriteFile(golden, []byte(kept.String()), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil || string(want) != kept.String() {
		t.Errorf("kept differs from %s (go test -update rewrites it):\n%s", golden, kept.String())
	}
}

// Bad lists fail naming the file, the line and what is wrong.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ok\n[abc\n", `.kilnignore:2: pattern "[abc": bad glob "[abc"`},
		{"/\n", `.kilnignore:1: pattern "/": matches nothing`},
		{"!\n", `.kilnignore:1: pattern "!": matches nothing`},
		{strings.Repeat("x", MaxPatternLen+1), ".kilnignore:1: pattern"},
		{strings.Repeat("**/", MaxDoubleStar+1) + "x", "more than 8 ** in one pattern"},
		{strings.Repeat("a\n", MaxPatterns+1), ".kilnignore:10001: more than 10000 patterns"},
	} {
		_, err := Parse(".kilnignore", []byte(tc.in))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%.40q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	m, err := ReadFile(filepath.Join(dir, ".kilnignore"))
	if err != nil || !m.Empty() {
		t.Errorf("a missing file: %v, %v; want an empty list", m, err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(big); err == nil || !strings.Contains(err.Error(), big+": larger than") {
		t.Errorf("an oversized file: %v", err)
	}
}

// Many ** against a deep path stay fast (bounded per pattern).
func TestDoubleStarIsBounded(t *testing.T) {
	m, err := Parse("x", []byte(strings.Repeat("**/a/", MaxDoubleStar)+"b"))
	if err != nil {
		t.Fatal(err)
	}
	deep := strings.Repeat("a/", 30) + "c"
	if m.Match(deep, false) {
		t.Errorf("matched %q", deep)
	}
}

// TestMatchWalkedAgreesWithMatch: a walker that skips left-out directories
// and asks MatchWalked keeps exactly the paths Match keeps.
func TestMatchWalkedAgreesWithMatch(t *testing.T) {
	tree := map[string]bool{ // path → is a directory
		"a": true, "a/b": true, "a/b/c.go": false, "a/b/keep.txt": false, "a/d.go": false,
		"build": true, "build/out.bin": false, "build/sub": true, "build/sub/x.go": false,
		"docs": true, "docs/x.md": false, "main.go": false, "x.go": false,
	}
	for _, patterns := range [][]string{
		{"build/"},
		{"*.go", "!main.go"},
		{"a/**/c.go"},
		{"a", "!a/b/keep.txt"}, // ! cannot re-include below a left-out directory
		{"**/sub/", "docs/*.md"},
		{"/x.go", "b"},
	} {
		m, err := ParseLines("test", patterns)
		if err != nil {
			t.Fatal(err)
		}
		var paths []string
		for p := range tree {
			paths = append(paths, p)
		}
		sort.Strings(paths) // parents before children
		var walked, direct []string
		left := map[string]bool{}
		for _, p := range paths {
			if d := path.Dir(p); d != "." && left[d] {
				left[p] = true // the walker never got here
				continue
			}
			if m.MatchWalked(p, tree[p]) {
				left[p] = true
			} else {
				walked = append(walked, p)
			}
		}
		for _, p := range paths {
			if !m.Match(p, tree[p]) {
				direct = append(direct, p)
			}
		}
		if !slices.Equal(walked, direct) {
			t.Errorf("%q: walking with MatchWalked keeps %v; Match keeps %v", patterns, walked, direct)
		}
	}
}
