// Package pyindex serves a local Python package index (PEP 503 "simple"
// API) of pure-Python wheels it builds from source files, so tests of the
// pip path need neither PyPI nor a wheel toolchain. pip installs from it with
// PIP_INDEX_URL=<URL> and PIP_TRUSTED_HOST=127.0.0.1 (it is plain http).
package pyindex

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Index is a running package index.
type Index struct {
	URL    string // .../simple/
	srv    *http.Server
	ln     net.Listener
	mu     sync.Mutex
	wheels map[string]map[string][]byte // normalized project -> file name -> wheel
}

var nonAlnum = regexp.MustCompile(`[-_.]+`)

// Normalize is PEP 503 name normalization.
func Normalize(name string) string { return strings.ToLower(nonAlnum.ReplaceAllString(name, "-")) }

// Serve starts an index on a free loopback port; Close stops it.
func Serve() (*Index, error) { return ServeOn("127.0.0.1:0") }

// ServeOn starts an index listening on addr (host:port, port 0 for a free
// one): e.g. Kiln's node address, where build pods reach it.
func ServeOn(addr string) (*Index, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	i := &Index{ln: ln, wheels: map[string]map[string][]byte{}, URL: "http://" + ln.Addr().String() + "/simple/"}
	i.srv = &http.Server{Handler: i}
	go i.srv.Serve(ln)
	return i, nil
}

// AddPackages publishes each package dir under root (a directory of .py
// files, samples/python/packages/kiln_greeting) as a wheel of version,
// its project name the dir's with "_" as "-".
func (i *Index) AddPackages(root, version string) error {
	dirs, err := filepath.Glob(filepath.Join(root, "*"))
	if err != nil {
		return err
	}
	for _, dir := range dirs {
		srcs, _ := filepath.Glob(filepath.Join(dir, "*.py"))
		if len(srcs) == 0 {
			continue
		}
		files := map[string]string{}
		for _, src := range srcs {
			b, err := os.ReadFile(src)
			if err != nil {
				return err
			}
			files[filepath.Base(dir)+"/"+filepath.Base(src)] = string(b)
		}
		if err := i.Add(strings.ReplaceAll(filepath.Base(dir), "_", "-"), version, files); err != nil {
			return fmt.Errorf("pyindex: %s: %w", dir, err)
		}
	}
	return nil
}

// Close stops the index.
func (i *Index) Close() error { return i.srv.Close() }

// Add builds a wheel of project version from files (paths inside the wheel,
// e.g. "kiln_greeting/__init__.py") and publishes it.
func (i *Index) Add(project, version string, files map[string]string) error {
	whl, name, err := Wheel(project, version, files)
	if err != nil {
		return err
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	n := Normalize(project)
	if i.wheels[n] == nil {
		i.wheels[n] = map[string][]byte{}
	}
	i.wheels[n][name] = whl
	return nil
}

// Wheel builds a pure-Python wheel (py3-none-any) and returns it with its file name.
func Wheel(project, version string, files map[string]string) ([]byte, string, error) {
	dist := strings.ReplaceAll(project, "-", "_")
	info := dist + "-" + version + ".dist-info/"
	all := map[string]string{}
	for k, v := range files {
		all[k] = v
	}
	all[info+"METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\n", project, version)
	all[info+"WHEEL"] = "Wheel-Version: 1.0\nGenerator: kiln-pyindex\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	var record strings.Builder
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			return nil, "", err
		}
		w.Write([]byte(all[n]))
		sum := sha256.Sum256([]byte(all[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(all[n]))
	}
	record.WriteString(info + "RECORD,,\n")
	w, err := zw.Create(info + "RECORD")
	if err != nil {
		return nil, "", err
	}
	w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), dist + "-" + version + "-py3-none-any.whl", nil
}

func (i *Index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	defer i.mu.Unlock()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 2 && parts[0] == "simple":
		files, ok := i.wheels[Normalize(parts[1])]
		if !ok {
			http.NotFound(w, r)
			return
		}
		names := make([]string, 0, len(files))
		for n := range files {
			names = append(names, n)
		}
		sort.Strings(names)
		fmt.Fprintf(w, "<!DOCTYPE html><html><body>\n")
		for _, n := range names {
			sum := sha256.Sum256(files[n])
			fmt.Fprintf(w, "<a href=\"/files/%s/%s#sha256=%s\">%s</a><br/>\n", Normalize(parts[1]), html.EscapeString(n), hex.EncodeToString(sum[:]), html.EscapeString(n))
		}
		fmt.Fprintf(w, "</body></html>\n")
	case len(parts) == 3 && parts[0] == "files":
		if whl, ok := i.wheels[parts[1]][parts[2]]; ok {
			w.Write(whl)
			return
		}
		http.NotFound(w, r)
	default:
		http.NotFound(w, r)
	}
}
