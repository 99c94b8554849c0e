package reconciler

import "testing"

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
