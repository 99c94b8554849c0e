package sandbox

import (
	"os"
	"path/filepath"
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

// kiln runs the helper beside it only when nobody but kiln's owner (or
// root) could have put it there.
func TestHelperBesideKilnMustBeTrusted(t *testing.T) {
	for _, tc := range []struct {
		name                string
		dirMode, helperMode os.FileMode
		want                bool
	}{
		{name: "ours, 0755 in a 0755 dir", dirMode: 0o755, helperMode: 0o755, want: true},
		{name: "group-writable helper", dirMode: 0o755, helperMode: 0o775},
		{name: "world-writable dir (say /tmp)", dirMode: 0o777, helperMode: 0o755},
		{name: "a directory, not a program", dirMode: 0o755, helperMode: os.ModeDir | 0o755},
		{name: "missing", dirMode: 0o755},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bin")
			if err := os.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			exe := filepath.Join(dir, "kiln")
			if err := os.WriteFile(exe, []byte("kiln"), 0o755); err != nil {
				t.Fatal(err)
			}
			helper := filepath.Join(dir, HelperBinary)
			switch {
			case tc.helperMode.IsDir():
				os.Mkdir(helper, 0o755)
			case tc.helperMode != 0:
				os.WriteFile(helper, []byte("helper"), 0o755)
				os.Chmod(helper, tc.helperMode)
			}
			os.Chmod(dir, tc.dirMode)
			if got := trustedBeside(exe, helper); got != tc.want {
				t.Fatalf("trustedBeside = %v, want %v", got, tc.want)
			}
		})
	}
}
