package godist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
)

// InstallVerified (the platform's own fill of the shared toolchain cache)
// installs a toolchain the checksum database vouches for and nothing else:
// not a tampered zip, and not an unverified one (GOSUMDB=off).
func TestInstallVerified(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tamper   bool
		sumdbOff bool
		wantErr  string
	}{
		{name: "verified"},
		{name: "tampered", tamper: true, wantErr: "SECURITY ERROR"},
		{name: "GOSUMDB=off", sumdbOff: true, wantErr: "GOSUMDB=off: only toolchains verified"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := goproxytest.Serve(t, goproxytest.Options{Tamper: tc.tamper}, "1.99.1")
			sumdb := p.GOSUMDB
			if tc.sumdbOff {
				sumdb = "off"
			}
			goroot := filepath.Join(t.TempDir(), "1.99.1-linux-amd64")
			hash, err := godist.InstallVerified(context.Background(), p.URL, sumdb, "1.99.1", "amd64", goroot)
			if left, _ := filepath.Glob(filepath.Join(filepath.Dir(goroot), ".download-*")); len(left) > 0 {
				t.Errorf("the download was left behind: %v", left)
			}
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if _, err := os.Stat(filepath.Join(goroot, "bin", "go")); err == nil {
					t.Fatal("an unverified toolchain was installed")
				}
				return
			}
			if err != nil || hash != p.ServedHash("1.99.1") {
				t.Fatalf("hash %q err %v", hash, err)
			}
			if b, err := os.ReadFile(filepath.Join(goroot, "bin", "go")); err != nil || !strings.Contains(string(b), "echo go1.99.1") {
				t.Fatalf("bin/go: %q %v", b, err)
			}
		})
	}
}

// ShareToolchain's entry is readable by the builds' user, not only by kiln.
func TestShareToolchainIsReadableByBuilds(t *testing.T) {
	p := goproxytest.Serve(t, goproxytest.Options{}, "1.99.1")
	goroot := filepath.Join(t.TempDir(), "go", "1.99.1-linux-amd64")
	filled, err := godist.ShareToolchain(context.Background(), p.URL, p.GOSUMDB, "1.99.1", "amd64", goroot)
	if err != nil || !filled || !godist.ToolchainComplete(goroot) {
		t.Fatalf("filled %v err %v", filled, err)
	}
	st, err := os.Stat(goroot)
	if err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("the shared toolchain's mode: %v %v, want 0755", st.Mode(), err)
	}
	if filled, err := godist.ShareToolchain(context.Background(), "http://127.0.0.1:1", p.GOSUMDB, "1.99.1", "amd64", goroot); err != nil || filled {
		t.Fatalf("a complete entry is filled again: %v %v", filled, err)
	}
}
