package godist_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/buildpacks/go-dist/godist"
	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
	"kiln.dev/kiln/buildpacks/internal/sbom"
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
			// The shared toolchain carries the same SBOM record a build's install writes.
			rec, ok, err := sbom.ReadGoToolchain(goroot)
			if err != nil || !ok || rec.H1 != hash || rec.GoVersion != "1.99.1" || len(rec.SHA256) != 64 || !strings.HasSuffix(rec.Version, "linux-amd64") {
				t.Fatalf("%s: %+v %v, want version 1.99.1, h1 %s and the zip's SHA-256", sbom.GoToolchainRecordFile, rec, err, hash)
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

// ShareStdCache runs the shared toolchain as kiln/go-build compiles (no
// cgo, -trimpath) with a clean env (never the caller's GOFLAGS), into a
// GOCACHE every build can read.
func TestShareStdCache(t *testing.T) {
	goroot := filepath.Join(t.TempDir(), "go")
	os.MkdirAll(filepath.Join(goroot, "bin"), 0o755)
	script := "#!/bin/sh\necho \"$@ CGO_ENABLED=$CGO_ENABLED GOFLAGS=$GOFLAGS GOROOT=$GOROOT\" > \"$GOCACHE/args\"\nmkdir -p \"$GOCACHE/00\"\n"
	if err := os.WriteFile(filepath.Join(goroot, "bin", "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOFLAGS", "-toolexec=/evil")
	gocache := filepath.Join(t.TempDir(), "gocache", "go1.99.1")
	filled, err := godist.ShareStdCache(context.Background(), goroot, gocache, os.Getuid(), os.Getgid())
	if err != nil || !filled || !godist.ToolchainComplete(gocache) {
		t.Fatalf("filled %v err %v", filled, err)
	}
	b, _ := os.ReadFile(filepath.Join(gocache, "args"))
	if want := "build -trimpath std CGO_ENABLED=0 GOFLAGS= GOROOT=" + goroot + "\n"; string(b) != want {
		t.Fatalf("go ran as %q, want %q", b, want)
	}
	if st, err := os.Stat(gocache); err != nil || st.Mode().Perm() != 0o755 {
		t.Fatalf("the shared GOCACHE's mode: %v %v, want 0755", st.Mode(), err)
	}
	os.WriteFile(filepath.Join(goroot, "bin", "go"), []byte("#!/bin/sh\necho broken >&2\nexit 1\n"), 0o755)
	if _, err := godist.ShareStdCache(context.Background(), goroot, gocache+"-2", os.Getuid(), os.Getgid()); err == nil || !strings.Contains(err.Error(), "broken") {
		t.Fatalf("a failing compile: %v", err)
	}
}
