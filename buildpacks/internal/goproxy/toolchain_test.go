package goproxy

import (
	"archive/zip"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
)

func goarch() string { return runtime.GOARCH }

// Every verdict on a toolchain download, against an in-process proxy and
// checksum database (no network): the good zip passes with its hash, a
// tampered one is a SECURITY ERROR, and so is a database that cannot be
// verified; a database without the module, a missing version and a bad
// GOSUMDB fail with what to do.
func TestFetchToolchainVerdicts(t *testing.T) {
	const v = "1.99.1"
	mv := "v0.0.1-go1.99.1.linux-amd64"
	for _, tt := range []struct {
		name    string
		opts    goproxytest.Options
		version string
		gosumdb func(p *goproxytest.Proxy) string
		want    func(p *goproxytest.Proxy) string // exact error, or "" for success
		prefix  bool                              // want is an error prefix
	}{
		{name: "good zip passes", version: v},
		{name: "tampered zip", opts: goproxytest.Options{Tamper: true}, version: v, want: func(p *goproxytest.Proxy) string {
			return fmt.Sprintf("SECURITY ERROR: go 1.99.1: golang.org/toolchain@%s from GOPROXY %s has hash %s, but the checksum database says %q: the proxy served a modified file; do not build with it, point GOPROXY at a proxy you trust",
				mv, p.URL, p.ServedHash(v), "golang.org/toolchain "+mv+" "+p.GoodHash(v))
		}},
		{name: "database omits the module", opts: goproxytest.Options{Omit: []string{mv}}, version: v, prefix: true, want: func(p *goproxytest.Proxy) string {
			return fmt.Sprintf("checksum database sum.kiln.test (through GOPROXY %s) has no record of golang.org/toolchain@%s: ", p.URL, mv)
		}},
		{name: "tree signed by a key GOSUMDB does not name", opts: goproxytest.Options{ForeignSigner: true}, version: v, prefix: true, want: func(p *goproxytest.Proxy) string {
			return fmt.Sprintf("SECURITY ERROR: checksum database sum.kiln.test (through GOPROXY %s) could not be verified for golang.org/toolchain@%s: ", p.URL, mv)
		}},
		{name: "GOSUMDB key of another database", version: v, gosumdb: func(*goproxytest.Proxy) string { return other(t) }, prefix: true, want: func(p *goproxytest.Proxy) string {
			return "GOPROXY " + p.URL + " does not serve the checksum database sum.other.test (GET " + p.URL + "/sumdb/sum.other.test/supported: 404 Not Found: 404 page not found): use a proxy that does, or the GOSUMDB key of the database it serves; set GOSUMDB=off only if you trust the proxy"
		}},
		{name: "version the proxy does not serve", version: "1.99.2", prefix: true, want: func(p *goproxytest.Proxy) string {
			return "go 1.99.2: GET " + p.URL + "/golang.org/toolchain/@v/v0.0.1-go1.99.2.linux-amd64.zip: 404 Not Found: not found: "
		}},
		{name: "GOSUMDB=off skips the check", version: v, gosumdb: func(*goproxytest.Proxy) string { return "off" }},
		{name: "malformed GOSUMDB", version: v, gosumdb: func(*goproxytest.Proxy) string { return "sum.golang.org https://x" }, want: func(*goproxytest.Proxy) string {
			return `GOSUMDB="sum.golang.org https://x": only a verifier key (name+hash+key) or "off" is supported; unset GOSUMDB to use sum.golang.org`
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := goproxytest.Serve(t, tt.opts, v)
			c, err := NewClient(p.URL)
			if err != nil {
				t.Fatal(err)
			}
			gosumdb := p.GOSUMDB
			if tt.gosumdb != nil {
				gosumdb = tt.gosumdb(p)
			}
			zipPath, hash, err := c.FetchToolchain(context.Background(), tt.version, "amd64", gosumdb, t.TempDir())
			if tt.want != nil {
				want := tt.want(p)
				if err == nil || (!tt.prefix && err.Error() != want) || (tt.prefix && !strings.HasPrefix(err.Error(), want)) {
					t.Fatalf("err = %v\nwant %s%q", err, map[bool]string{true: "prefix "}[tt.prefix], want)
				}
				if zipPath != "" || hash != "" {
					t.Fatalf("a failed fetch returned %q %q", zipPath, hash)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if gosumdb == "off" {
				if hash != "" {
					t.Fatalf("GOSUMDB=off returned hash %q", hash)
				}
				for _, r := range p.Requests() {
					if strings.Contains(r, "/sumdb/") {
						t.Fatalf("GOSUMDB=off still asked the database: %s", r)
					}
				}
			} else if hash != p.GoodHash(v) {
				t.Fatalf("hash = %q, want %q", hash, p.GoodHash(v))
			}
			if filepath.Base(zipPath) != mv+".zip" {
				t.Fatalf("zip path %q", zipPath)
			}
		})
	}
}

// other is the verifier key of a database named sum.other.test.
func other(t *testing.T) string {
	_, vkey, err := note.GenerateKey(rand.Reader, "sum.other.test")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

func TestExtractToolchain(t *testing.T) {
	p := filepath.Join(t.TempDir(), "tc.zip")
	writeZip(t, p, map[string]string{
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/bin/go":                       "go",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/pkg/tool/linux_amd64/compile": "compile",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/pkg/tool/linux_amd64/pprof":   "pprof",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/src/fmt/print.go":             "package fmt",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/src/fmt/print_test.go":        "package fmt",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/src/fmt/testdata/x":           "x",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/src/cmd/go/main.go":           "package main",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/test/x.go":                    "x",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/api":                          "api file",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/doc/x.html":                   "x",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/lib/time/zoneinfo.zip":        "tz",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/":                             "",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64/src/dir/":                     "",
		"no-prefix/file": "x",
		"golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64": "x",
		"@v0/misc-free/file": "a prefix that is only @version",
	})
	root := t.TempDir()
	if err := ExtractToolchain(p, root); err != nil {
		t.Fatal(err)
	}
	for rel, mode := range map[string]os.FileMode{"bin/go": 0o755, "pkg/tool/linux_amd64/compile": 0o755, "src/fmt/print.go": 0o644, "lib/time/zoneinfo.zip": 0o644, "misc-free/file": 0o644} {
		st, err := os.Stat(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("%s missing: %v", rel, err)
			continue
		}
		if st.Mode().Perm() != mode&^umask() {
			t.Errorf("%s mode %v, want %v", rel, st.Mode().Perm(), mode)
		}
	}
	for _, rel := range []string{"pkg/tool/linux_amd64/pprof", "src/fmt/print_test.go", "src/fmt/testdata", "src/cmd", "test", "api", "doc", "no-prefix", "src/dir"} {
		if _, err := os.Stat(filepath.Join(root, rel)); err == nil {
			t.Errorf("%s was extracted", rel)
		}
	}

	evil := filepath.Join(t.TempDir(), "evil.zip")
	writeZip(t, evil, map[string]string{"golang.org/toolchain@v1/bin/../../../escape": "x"})
	if err := ExtractToolchain(evil, t.TempDir()); err == nil || err.Error() != evil+`: bad path "golang.org/toolchain@v1/bin/../../../escape" in toolchain zip` {
		t.Fatalf("evil zip err = %v", err)
	}
	if err := ExtractToolchain(filepath.Join(t.TempDir(), "none.zip"), root); err == nil || !strings.HasPrefix(err.Error(), "opening ") {
		t.Fatalf("missing zip err = %v", err)
	}
	notDir := filepath.Join(t.TempDir(), "file")
	os.WriteFile(notDir, nil, 0o644)
	if err := ExtractToolchain(p, notDir); err == nil {
		t.Fatal("extracting under a file succeeded")
	}
}

func umask() os.FileMode {
	p := filepath.Join(os.TempDir(), fmt.Sprintf("umask-%d", os.Getpid()))
	defer os.Remove(p)
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o777)
	if err != nil {
		return 0
	}
	f.Close()
	st, _ := os.Stat(p)
	return 0o777 &^ st.Mode().Perm()
}

func writeZip(t *testing.T, p string, files map[string]string) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range files {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
