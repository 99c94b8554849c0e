package registry

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// journal records manifest PUTs and DELETEs on disk and replays them at start.
type journal struct {
	dir  string
	next http.Handler
}

type record struct {
	Repo        string `json:"repo"`
	Ref         string `json:"ref"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// manifestPath splits /v2/<repo>/manifests/<ref>.
func manifestPath(p string) (repo, ref string, ok bool) {
	rest, ok := strings.CutPrefix(p, "/v2/")
	if !ok {
		return "", "", false
	}
	i := strings.LastIndex(rest, "/manifests/")
	if i < 0 {
		return "", "", false
	}
	return rest[:i], rest[i+len("/manifests/"):], true
}

func (j *journal) file(repo, ref string) string {
	return filepath.Join(j.dir, url.PathEscape(repo), url.PathEscape(ref)+".json")
}

func (j *journal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	repo, ref, isManifest := manifestPath(r.URL.Path)
	if !isManifest || (r.Method != http.MethodPut && r.Method != http.MethodDelete) {
		j.next.ServeHTTP(w, r)
		return
	}
	var body []byte
	if r.Method == http.MethodPut {
		var err error
		if body, err = io.ReadAll(r.Body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
	}
	rec := &statusRecorder{ResponseWriter: w, code: http.StatusOK}
	j.next.ServeHTTP(rec, r)
	if rec.code >= 300 {
		return
	}
	if r.Method == http.MethodDelete {
		os.Remove(j.file(repo, ref))
		return
	}
	if err := j.save(record{repo, ref, r.Header.Get("Content-Type"), body}); err != nil {
		fmt.Fprintf(os.Stderr, "kiln registry: WARNING: manifest %s:%s not persisted: %v\n", repo, ref, err)
	}
}

func (j *journal) save(rec record) error {
	p := j.file(rec.Repo, rec.Ref)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return err
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	tmp := p + ".tmp"
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, p)
}

// replay re-PUTs every journaled manifest into the in-memory handler, image
// manifests before indexes (an index needs its children).
func (j *journal) replay() error {
	files, _ := filepath.Glob(filepath.Join(j.dir, "*", "*.json"))
	var recs []record
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var rec record
		if err := json.Unmarshal(b, &rec); err != nil {
			return fmt.Errorf("registry journal %s is corrupt (delete it to drop that tag): %w", f, err)
		}
		recs = append(recs, rec)
	}
	isIndex := func(ct string) bool { return strings.Contains(ct, "index") || strings.Contains(ct, "manifest.list") }
	sort.SliceStable(recs, func(a, b int) bool { return !isIndex(recs[a].ContentType) && isIndex(recs[b].ContentType) })
	for _, rec := range recs {
		req := httptest.NewRequest(http.MethodPut, "/v2/"+rec.Repo+"/manifests/"+rec.Ref, bytes.NewReader(rec.Body))
		req.Header.Set("Content-Type", rec.ContentType)
		w := httptest.NewRecorder()
		j.next.ServeHTTP(w, req)
		if w.Code >= 300 {
			fmt.Fprintf(os.Stderr, "kiln registry: WARNING: could not restore %s:%s (%d %s)\n", rec.Repo, rec.Ref, w.Code, strings.TrimSpace(w.Body.String()))
		}
	}
	return nil
}

type statusRecorder struct {
	http.ResponseWriter
	code int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.code = code
	s.ResponseWriter.WriteHeader(code)
}
