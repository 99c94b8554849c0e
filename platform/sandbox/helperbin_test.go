package sandbox

import (
	"strings"
	"testing"
)

func TestHelperBinaryNeedsABuildID(t *testing.T) {
	old := BuildID
	t.Cleanup(func() { BuildID = old })
	BuildID = ""
	if p := helperPath(); p != "/proc/self/exe" {
		t.Fatalf("an unstamped kiln starts %s as its helper, want itself", p)
	}
	BuildID = "b1"
	if p := helperPath(); p != "/proc/self/exe" {
		t.Fatalf("with no %s beside it, kiln starts %s, want itself", HelperBinary, p)
	}
	if err := checkBuildID("b1"); err != nil {
		t.Fatal(err)
	}
	if err := checkBuildID("b0"); err == nil || !strings.Contains(err.Error(), "from the same build") {
		t.Fatalf("a helper from another build: %v", err)
	}
}
