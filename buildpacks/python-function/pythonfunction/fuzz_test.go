package pythonfunction

import (
	"strings"
	"testing"
)

// FuzzParseRequirements: any requirements.txt is accepted or rejected with
// an error naming the file and a line; accepted lines re-rendered one per
// line parse to the same requirements and options.
func FuzzParseRequirements(f *testing.F) {
	for _, s := range []string{"flask==3.0.3\n", "-r base.txt\n-i https://x/simple\n", "flask=1\n", "-e .\n", "a \\\n>=1\n",
		"--require-hashes\nflask==1 --hash=" + sha + "\n", "x @ https://e/x.whl ; python_version<'4'\n", "# c\n\n\r\n", "-rfile\n--no-index\n", "--hash\n", "-\n", "\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		lines, err := ParseRequirements("requirements.txt", content)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "requirements.txt line ") {
				t.Fatalf("error does not name the file and line: %v", err)
			}
			return
		}
		var out []string
		for _, l := range lines {
			if l.N < 1 {
				t.Fatalf("line number %d", l.N)
			}
			s := l.Require
			if l.Option != "" {
				s = l.Option
				if l.Value != "" {
					s += "=" + l.Value
				}
			}
			for _, h := range l.Hashes {
				s += " --hash=" + h
			}
			out = append(out, s)
		}
		again, err := ParseRequirements("requirements.txt", strings.Join(out, "\n"))
		if err != nil {
			t.Fatalf("re-rendered %q does not parse: %v", out, err)
		}
		if len(again) != len(lines) {
			t.Fatalf("round trip: %d lines became %d", len(lines), len(again))
		}
		for i := range lines {
			if again[i].Option != lines[i].Option || again[i].Value != lines[i].Value || strings.Join(again[i].Hashes, ",") != strings.Join(lines[i].Hashes, ",") {
				t.Fatalf("round trip changed line %d: %+v -> %+v", i, lines[i], again[i])
			}
		}
	})
}

// FuzzCheckPipConf: never panics; errors name pip.conf and a line.
func FuzzCheckPipConf(f *testing.F) {
	for _, s := range []string{"[global]\nindex-url = https://x/simple\n", "x=1\n", "[g\n", " a\n", "[global]\nextra-index-url=\n  y\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, content string) {
		if err := CheckPipConf(content); err != nil && !strings.HasPrefix(err.Error(), "pip.conf line ") {
			t.Fatalf("error does not name pip.conf and a line: %v", err)
		}
	})
}
