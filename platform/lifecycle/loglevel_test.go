package lifecycle

import "testing"

// kiln --quiet and --verbose reach the creator as its -log-level; anything
// else is info.
func TestLogLevel(t *testing.T) {
	for in, want := range map[string]string{"": "info", "warn": "warn", "debug": "debug", "info": "info", "error": "error", "trace": "info", "-x": "info"} {
		if got := logLevel(in); got != want {
			t.Errorf("logLevel(%q) = %q, want %q", in, got, want)
		}
	}
}
