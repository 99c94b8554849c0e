// Package npmtest serves a real npm registry over HTTP for tests: package
// documents and tarballs with correct integrity, built from in-memory files.
// npm itself can install from it.
package npmtest

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha1"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

// Registry is a running test registry.
type Registry struct {
	URL  string
	mu   sync.Mutex
	docs map[string]map[string]any
	tgzs map[string][]byte
	// Tarballs counts tarball downloads per package name.
	Tarballs map[string]int
}

// Serve starts an empty registry.
func Serve(t testing.TB) *Registry {
	r := &Registry{docs: map[string]map[string]any{}, tgzs: map[string][]byte{}, Tarballs: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	r.URL = srv.URL + "/"
	return r
}

// Tgz builds an npm tarball: files under package/ (mode 0755 for bin/*).
func Tgz(files map[string]string) []byte {
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for name, body := range files {
		mode := int64(0o644)
		if strings.Contains(name, "bin/") {
			mode = 0o755
		}
		tw.WriteHeader(&tar.Header{Name: "package/" + name, Mode: mode, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// Publish adds name@version with files (package.json is generated when absent).
func (r *Registry) Publish(name, version string, files map[string]string) {
	if _, ok := files["package.json"]; !ok {
		files["package.json"] = `{"name":"` + name + `","version":"` + version + `"}`
	}
	tgz := Tgz(files)
	s512 := sha512.Sum512(tgz)
	s1 := sha1.Sum(tgz)
	base := name[strings.LastIndex(name, "/")+1:]
	path := name + "/-/" + base + "-" + version + ".tgz"
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tgzs["/"+path] = tgz
	doc, ok := r.docs[name]
	if !ok {
		doc = map[string]any{"name": name, "dist-tags": map[string]string{}, "versions": map[string]any{}}
		r.docs[name] = doc
	}
	doc["dist-tags"].(map[string]string)["latest"] = version
	doc["versions"].(map[string]any)[version] = map[string]any{
		"name": name, "version": version,
		"dist": map[string]string{"tarball": r.URL + path, "integrity": "sha512-" + base64.StdEncoding.EncodeToString(s512[:]), "shasum": hex.EncodeToString(s1[:])},
	}
}

func (r *Registry) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tgz, ok := r.tgzs[req.URL.Path]; ok {
		r.Tarballs[strings.Split(strings.TrimPrefix(req.URL.Path, "/"), "/-/")[0]]++
		w.Write(tgz)
		return
	}
	name := strings.Replace(strings.TrimPrefix(req.URL.Path, "/"), "%2f", "/", 1)
	name = strings.Replace(name, "%2F", "/", 1)
	if doc, ok := r.docs[name]; ok {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(doc)
		return
	}
	http.Error(w, `{"error":"Not found"}`, http.StatusNotFound)
}
