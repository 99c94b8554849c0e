package goproxy

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"kiln.dev/kiln/buildpacks/internal/bptest"
	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
)

func TestBaseURL(t *testing.T) {
	for _, tt := range []struct{ in, want, err string }{
		{"", DefaultProxy, ""},
		{"  ", DefaultProxy, ""},
		{"https://m.example/,direct", "https://m.example", ""},
		{"https://m.example//", "https://m.example", ""},
		{"direct,https://m.example|https://b", "https://m.example", ""},
		{" , direct , https://c.example ", "https://c.example", ""},
		{"file:///srv/goproxy", "file:///srv/goproxy", ""},
		{"off", "", `GOPROXY="off" disables the module proxy, but Go toolchains are downloaded from it; set GOPROXY to a proxy or mirror URL (e.g. https://proxy.golang.org)`},
		{"direct,off", "", `GOPROXY="direct,off" disables the module proxy`},
		{"direct", "", `GOPROXY="direct" has no proxy URL (only "direct"); Go toolchains come from a module proxy: add one, e.g. GOPROXY=https://proxy.golang.org,direct`},
		{"http://[::1", "", `GOPROXY entry "http://[::1" is not a URL`},
	} {
		got, err := BaseURL(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("BaseURL(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("BaseURL(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	if _, err := NewClient("off"); err == nil {
		t.Error("NewClient(off) succeeded")
	}
}

func TestToolchainVersion(t *testing.T) {
	if got := ToolchainVersion("1.26.8", "arm64"); got != "v0.0.1-go1.26.8.linux-arm64" {
		t.Errorf("got %q", got)
	}
	if got := ToolchainVersion("1.26.8", ""); got != "v0.0.1-go1.26.8.linux-"+goarch() {
		t.Errorf("default arch: got %q", got)
	}
}

func TestGetAndDownload(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/ok" {
			w.Write([]byte("body"))
			return
		}
		http.Error(w, "  gone for good  ", http.StatusGone)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "f")
	if n, err := c.Download(context.Background(), "/ok", dst); err != nil || n != 4 {
		t.Fatalf("Download = %d, %v", n, err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "body" {
		t.Fatalf("stored %q", b)
	}
	if _, err := c.Download(context.Background(), "missing", dst); err == nil || err.Error() != "GET "+srv.URL+"/missing: 410 Gone: gone for good" {
		t.Fatalf("err = %v", err)
	}
	if _, err := c.Download(context.Background(), "/ok", filepath.Join(t.TempDir(), "no", "dir")); err == nil {
		t.Fatal("download into a missing directory succeeded")
	}
	down := &Client{Base: "http://127.0.0.1:1", HTTP: http.DefaultClient}
	if _, err := down.Get(context.Background(), "x"); err == nil || !strings.Contains(err.Error(), "check GOPROXY, HTTPS_PROXY and that the proxy is reachable") {
		t.Fatalf("unreachable proxy err = %v", err)
	}
	bad := &Client{Base: "http://bad host", HTTP: http.DefaultClient}
	if _, err := bad.Get(context.Background(), "x"); err == nil {
		t.Fatal("bad URL succeeded")
	}

	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a"), []byte("file proxy"), 0o644)
	fc, _ := NewClient("file://" + dir)
	if n, err := fc.Download(context.Background(), "a", dst); err != nil || n != 10 {
		t.Fatalf("file:// download = %d, %v", n, err)
	}
	if _, err := fc.Get(context.Background(), "b"); err == nil || !strings.HasPrefix(err.Error(), "GOPROXY file://"+dir+": ") {
		t.Fatalf("file:// missing err = %v", err)
	}
}

// TestDownloadIsBounded: a proxy that streams more than MaxDownload is cut
// off with an error naming GOPROXY, and nothing is left at dst.
func TestDownloadIsBounded(t *testing.T) {
	defer func(old int64) { MaxDownload = old }(MaxDownload)
	MaxDownload = 1024
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(make([]byte, 4096))
	}))
	defer srv.Close()
	c, _ := NewClient(srv.URL)
	dst := filepath.Join(t.TempDir(), "go.zip")
	if _, err := c.Download(context.Background(), "/big.zip", dst); err == nil || !strings.Contains(err.Error(), "larger than") || !strings.Contains(err.Error(), "GOPROXY") {
		t.Fatalf("Download of 4 kB with a 1 kB bound: %v; want an error naming the bound and GOPROXY", err)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("the cut-off download was left at %s (%v)", dst, err)
	}
}

// The network test: the real checksum database through the real proxy.
func TestLookupThroughRealProxy(t *testing.T) {
	bptest.NeedsNetwork(t, "the Go module proxy")
	c, err := NewClient(os.Getenv("GOPROXY"))
	if err != nil {
		t.Fatal(err)
	}
	lines, err := c.Lookup(context.Background(), "", ToolchainModule, "v0.0.1-go1.25.0.linux-amd64")
	if err != nil {
		t.Fatal(err)
	}
	want := "golang.org/toolchain v0.0.1-go1.25.0.linux-amd64 h1:wVC9wx2XOcP5gHiN8ZzfyTfjlrDLSS7Hu1wjI01n68U="
	if len(lines) == 0 || lines[0] != want {
		t.Fatalf("lines = %q, want first %q", lines, want)
	}
}

func TestRequestsGoThroughTheProxy(t *testing.T) {
	p := goproxytest.Serve(t, goproxytest.Options{}, "1.99.1")
	c, _ := NewClient(p.URL + ",direct")
	if _, _, err := c.FetchToolchain(context.Background(), "1.99.1", "amd64", p.GOSUMDB, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	reqs := strings.Join(p.Requests(), "\n")
	for _, want := range []string{"/golang.org/toolchain/@v/v0.0.1-go1.99.1.linux-amd64.zip", "/sumdb/sum.kiln.test/lookup/golang.org/toolchain@v0.0.1-go1.99.1.linux-amd64"} {
		if !strings.Contains(reqs, want) {
			t.Errorf("the proxy saw no %s:\n%s", want, reqs)
		}
	}
}
