package reconciler

import (
	"testing"
	"unicode/utf8"
)

// A real BuildRun's failureDetails keep the buildpacks' terminal colours:
// the Function's condition does not.
func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"\x1b[2m    ./hello.go:17:6: undefined: fmt.Fprintfx\x1b[0m\n\x1b[31;1m  compiling failed\x1b[0m": "    ./hello.go:17:6: undefined: fmt.Fprintfx\n  compiling failed",
		"plain\tline\r\x07":   "plain\tline",
		"cut at the end\x1b[": "cut at the end",
		"ünïcode stays":       "ünïcode stays",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A crash message is its last lines, cut to a size at a rune boundary: the
// condition never carries half a rune.
func TestLastLines(t *testing.T) {
	for _, tc := range []struct {
		in     string
		n, max int
		want   string
	}{
		{"a\n\n  b  \nc\n", 5, 100, "a | b | c"},
		{"a\nb\nc\nd", 2, 100, "c | d"},
		{"", 5, 100, ""},
		{"abcdef", 5, 3, "…def"},
		// "é" is two bytes: a cut that falls inside it skips it whole.
		{"xéab", 5, 3, "…ab"},
		{"x€ab", 5, 4, "…ab"},
		{"x€ab", 5, 5, "…€ab"},
	} {
		got := lastLines(tc.in, tc.n, tc.max)
		if got != tc.want {
			t.Errorf("lastLines(%q, %d, %d) = %q, want %q", tc.in, tc.n, tc.max, got, tc.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("lastLines(%q, %d, %d) = %q is not valid UTF-8", tc.in, tc.n, tc.max, got)
		}
	}
}
