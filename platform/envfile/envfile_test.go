package envfile

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

func lookup(k string) (string, bool) {
	if k == "FROM_ENV" {
		return "from the caller", true
	}
	return "", false
}

func TestSample(t *testing.T) {
	vars, err := ReadFile(filepath.Join("testdata", "sample.env"), lookup)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, v := range vars {
		fmt.Fprintf(&b, "%s=%q\n", v.Name, v.Value)
	}
	golden := filepath.Join("testdata", "sample.golden")
	if *update {
		os.WriteFile(golden, []byte(b.String()), 0o644)
	}
	if want, err := os.ReadFile(golden); err != nil || string(want) != b.String() {
		t.Errorf("differs from %s (go test -update rewrites it):\n%s", golden, b.String())
	}
}

// A bad line fails naming the file and line, and what to write instead.
func TestErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"A=1\n=2\n", `--env-file app.env:2: "" is not a variable name`},
		{"1A=x", `app.env:1: "1A" is not a variable name`},
		{"A-B=x", `"A-B" is not a variable name`},
		{"A=1\n\nNOPE\n", "app.env:3: NOPE has no value and is not set in your environment: want NOPE=VALUE"},
		{`A="open`, "A: the value opens a \" quote it does not close"},
		{`A='`, "A: the value opens a ' quote it does not close"},
		{"A=x\x00y", "app.env:1: a NUL byte"},
	} {
		_, err := Parse("app.env", []byte(tc.in), lookup)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want an error saying %q", tc.in, err, tc.want)
		}
	}
}

func TestTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.env")
	if err := os.WriteFile(p, make([]byte, MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadFile(p, nil); err == nil || !strings.Contains(err.Error(), p+": larger than") {
		t.Errorf("ReadFile(oversized) = %v", err)
	}
	if _, err := ReadFile(filepath.Join(t.TempDir(), "missing.env"), nil); err == nil || !strings.Contains(err.Error(), "missing.env") {
		t.Errorf("ReadFile(missing) = %v", err)
	}
}
