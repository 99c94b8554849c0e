package version

import "testing"

func TestString(t *testing.T) {
	old := Version
	defer func() { Version = old }()
	Version = ""
	if got := String(); got != Dev {
		t.Fatalf("unstamped test binary: %q, want %q", got, Dev)
	}
	Version = "1.2.3"
	if got := String(); got != "1.2.3" {
		t.Fatalf("stamped: %q", got)
	}
}
