package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// journal keeps manifests on disk: one record per repository and reference
// (tag or digest) in <dir>/<repo>/<ref>.json. go-containerregistry's
// handler serves them from memory; the journal writes each PUT and DELETE
// durably (fsync + rename + fsync of the directory) before the client hears
// of it, and replays the records into memory at start. A PUT by tag also
// records the manifest under its digest, as the handler keeps it, so what
// a restart restores is exactly what was served.
type journal struct {
	dir   string // <registry>/manifests
	blobs string // <registry>/blobs, for the blob check of a manifest PUT
	next  http.Handler
	// mu serializes manifest writes so disk and memory change together.
	mu sync.Mutex
}

type record struct {
	Repo        string `json:"repo"`
	Ref         string `json:"ref"`
	ContentType string `json:"contentType"`
	Body        []byte `json:"body"`
}

// maxManifest is the largest manifest accepted (the spec's suggested 4 MiB).
const maxManifest = 4 << 20

func (j *journal) file(repo, ref string) string {
	return filepath.Join(j.dir, url.PathEscape(repo), url.PathEscape(ref)+".json")
}

func digestOf(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// put journals and applies a manifest PUT; 201 only once it is on disk.
func (j *journal) put(w http.ResponseWriter, r *http.Request, rt route) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxManifest))
	if err != nil {
		(&regError{http.StatusRequestEntityTooLarge, "MANIFEST_INVALID", fmt.Sprintf("manifest over %d bytes or unreadable: %v", maxManifest, err)}).write(w)
		return
	}
	digest := digestOf(body)
	if isDigest(rt.ref) && rt.ref != digest {
		(&regError{http.StatusBadRequest, "DIGEST_INVALID", "manifest body has digest " + digest + ", not " + rt.ref}).write(w)
		return
	}
	rec := record{rt.repo, rt.ref, r.Header.Get("Content-Type"), body}
	if rerr := j.checkBlobs(rec); rerr != nil {
		rerr.write(w)
		return
	}
	recs := []record{rec}
	if rt.ref != digest {
		recs = append(recs, record{rt.repo, digest, rec.ContentType, body})
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	prev := j.load(rt.repo, rt.ref)
	hadDigest := j.load(rt.repo, digest) != nil
	staged, err := j.stage(recs)
	if err != nil {
		regErrInternal(fmt.Errorf("journaling %s:%s: %w", rt.repo, rt.ref, err)).write(w)
		return
	}
	resp := j.apply(http.MethodPut, rec)
	if resp.Code >= 300 {
		unstage(staged)
		copyResponse(w, resp)
		return
	}
	// The digest record goes first: alone it is an untagged manifest.
	for i := len(staged) - 1; i >= 0; i-- {
		if err := commit(staged[i]); err != nil {
			unstage(staged[:i+1])
			if !hadDigest && i == len(staged)-1 {
				j.apply(http.MethodDelete, record{Repo: rt.repo, Ref: digest})
			}
			j.restore(rt.repo, rt.ref, prev)
			regErrInternal(fmt.Errorf("journaling %s:%s: %w", rt.repo, rt.ref, err)).write(w)
			return
		}
	}
	copyResponse(w, resp)
}

// restore puts ref back in memory as prev (nil: absent) after a failed write.
func (j *journal) restore(repo, ref string, prev *record) {
	if prev != nil {
		j.apply(http.MethodPut, *prev)
		return
	}
	if !isDigest(ref) {
		j.apply(http.MethodDelete, record{Repo: repo, Ref: ref})
	}
}

// del journals and applies a manifest DELETE. Deleting a digest deletes
// the repository's tags that point at it too.
func (j *journal) del(w http.ResponseWriter, rt route) {
	j.mu.Lock()
	defer j.mu.Unlock()
	resp := j.apply(http.MethodDelete, record{Repo: rt.repo, Ref: rt.ref})
	if resp.Code >= 300 {
		copyResponse(w, resp)
		return
	}
	gone := []string{rt.ref}
	if isDigest(rt.ref) {
		for _, tag := range j.tagsOf(rt.repo, rt.ref) {
			j.apply(http.MethodDelete, record{Repo: rt.repo, Ref: tag})
			gone = append(gone, tag)
		}
	}
	for i, ref := range gone {
		if err := removeDurably(j.file(rt.repo, ref)); err != nil {
			for _, left := range gone[i:] { // still on disk: back into memory
				if rec := j.load(rt.repo, left); rec != nil {
					j.apply(http.MethodPut, *rec)
				}
			}
			regErrInternal(fmt.Errorf("deleting %s:%s from the journal: %w", rt.repo, ref, err)).write(w)
			return
		}
	}
	copyResponse(w, resp)
}

// tagsOf lists repo's tags whose manifest has digest.
func (j *journal) tagsOf(repo, digest string) []string {
	var tags []string
	for _, rec := range j.records(repo) {
		if !isDigest(rec.Ref) && digestOf(rec.Body) == digest {
			tags = append(tags, rec.Ref)
		}
	}
	return tags
}

// apply sends a manifest request to the in-memory handler.
func (j *journal) apply(method string, rec record) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, "/v2/"+rec.Repo+"/manifests/"+rec.Ref, bytes.NewReader(rec.Body))
	if rec.ContentType != "" {
		req.Header.Set("Content-Type", rec.ContentType)
	}
	w := httptest.NewRecorder()
	j.next.ServeHTTP(w, req)
	return w
}

func copyResponse(w http.ResponseWriter, resp *httptest.ResponseRecorder) {
	for k, v := range resp.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(resp.Code)
	w.Write(resp.Body.Bytes())
}

// staged is a record written to a temp file, not yet in place.
type staged struct{ tmp, final string }

// stage writes recs to temp files beside their place, synced.
func (j *journal) stage(recs []record) ([]staged, error) {
	var out []staged
	for _, rec := range recs {
		final := j.file(rec.Repo, rec.Ref)
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			unstage(out)
			return nil, err
		}
		b, err := json.Marshal(rec)
		if err != nil {
			unstage(out)
			return nil, err
		}
		tmp, err := writeSynced(filepath.Dir(final), filepath.Base(final)+".tmp-*", b)
		if err != nil {
			unstage(out)
			return nil, err
		}
		out = append(out, staged{tmp, final})
	}
	return out, nil
}

func writeSynced(dir, pattern string, b []byte) (string, error) {
	f, err := os.CreateTemp(dir, pattern)
	if err != nil {
		return "", err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func unstage(s []staged) {
	for _, st := range s {
		os.Remove(st.tmp)
	}
}

// commit renames a staged record into place and syncs its directory.
func commit(s staged) error {
	if err := os.Rename(s.tmp, s.final); err != nil {
		return err
	}
	return syncDir(filepath.Dir(s.final))
}

func removeDurably(p string) error {
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return syncDir(filepath.Dir(p))
}

// load reads one record; nil when absent or unreadable.
func (j *journal) load(repo, ref string) *record {
	rec, err := readRecord(j.file(repo, ref))
	if err != nil {
		return nil
	}
	return rec
}

func readRecord(p string) (*record, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var rec record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("registry journal %s is corrupt (delete it to drop that tag): %w", p, err)
	}
	return &rec, nil
}

// records reads repo's records ("" = every repository's).
func (j *journal) records(repo string) []record {
	recs, _ := j.readAll(repo)
	return recs
}

func (j *journal) readAll(repo string) ([]record, error) {
	pattern := filepath.Join(j.dir, "*", "*.json")
	if repo != "" {
		pattern = filepath.Join(j.dir, url.PathEscape(repo), "*.json")
	}
	files, _ := filepath.Glob(pattern)
	var recs []record
	for _, f := range files {
		rec, err := readRecord(f)
		if err != nil {
			return nil, err
		}
		recs = append(recs, *rec)
	}
	return recs, nil
}

// replay restores every record into the in-memory handler. An index is
// refused until its children are in, so records that fail are retried
// while a pass makes progress (nested indexes need several passes). Tag
// records from before digests were journaled get their digest record.
func (j *journal) replay() error {
	pending, err := j.readAll("")
	if err != nil {
		return err
	}
	for len(pending) > 0 {
		var failed []record
		var why []string
		for _, rec := range pending {
			if resp := j.apply(http.MethodPut, rec); resp.Code >= 300 {
				failed = append(failed, rec)
				why = append(why, fmt.Sprintf("%d %s", resp.Code, strings.TrimSpace(resp.Body.String())))
			}
		}
		if len(failed) == len(pending) {
			for i, rec := range failed {
				fmt.Fprintf(os.Stderr, "kiln registry: WARNING: could not restore %s:%s (%s)\n", rec.Repo, rec.Ref, why[i])
			}
			break
		}
		pending = failed
	}
	for _, rec := range j.records("") {
		if d := digestOf(rec.Body); rec.Ref != d && j.load(rec.Repo, d) == nil {
			if st, err := j.stage([]record{{rec.Repo, d, rec.ContentType, rec.Body}}); err == nil {
				if err := commit(st[0]); err != nil {
					unstage(st)
				}
			}
		}
	}
	return nil
}
