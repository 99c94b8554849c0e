package bptest

import (
	"os"
	"testing"
)

// NetworkEnv opts in to tests that reach a real registry or proxy.
const NetworkEnv = "KILN_NETWORK_TESTS"

// NeedsNetwork skips t unless KILN_NETWORK_TESTS=1, saying what it would
// reach (e.g. "the Go module proxy"). Every buildpack test that leaves the
// machine calls it first, so `go test ./buildpacks/...` passes offline.
func NeedsNetwork(t testing.TB, what string) {
	t.Helper()
	if os.Getenv(NetworkEnv) != "1" {
		t.Skipf("skipped: needs %s (set %s=1)", what, NetworkEnv)
	}
}
