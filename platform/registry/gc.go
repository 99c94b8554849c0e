package registry

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// GCReport is what one garbage collection did.
type GCReport struct {
	// Manifests kept (by digest: a tag is not one more), and untagged ones
	// removed (no tag reaches them, directly or through an index).
	Manifests        int `json:"manifests"`
	ManifestsRemoved int `json:"manifestsRemoved"`
	// Blobs kept (referenced, or younger than the grace period) and
	// removed, with their sizes.
	Blobs        int   `json:"blobs"`
	Bytes        int64 `json:"bytes"`
	BlobsRemoved int   `json:"blobsRemoved"`
	BytesFreed   int64 `json:"bytesFreed"`
}

// gc is mark and sweep over the journal: the roots are the tags; a digest
// record no tag reaches is removed, then every blob no remaining manifest
// references. Anything younger than grace stays (a push uploads blobs and
// index children before what refers to them). It holds gcMu exclusively:
// no write is in flight meanwhile.
func (s *server) gc(grace time.Duration) (GCReport, error) {
	s.gcMu.Lock()
	defer s.gcMu.Unlock()
	j := s.journal
	j.mu.Lock()
	defer j.mu.Unlock()
	cutoff := time.Now().Add(-grace)
	recs, err := j.readAll("")
	if err != nil {
		return GCReport{}, err
	}
	reached := reachable(recs)
	var rep GCReport
	marked := map[string]bool{}
	for _, rec := range recs {
		key := rec.Repo + "@" + rec.Ref
		if isDigest(rec.Ref) && !reached[key] && olderThan(j.file(rec.Repo, rec.Ref), cutoff) {
			if err := removeDurably(j.file(rec.Repo, rec.Ref)); err != nil {
				return rep, err
			}
			j.apply(http.MethodDelete, rec)
			rep.ManifestsRemoved++
			continue
		}
		if isDigest(rec.Ref) {
			rep.Manifests++
		}
		refs, _ := referencesOf(rec.Body)
		for _, d := range refs.blobDescs() {
			marked[d.Digest.Hex] = true
		}
	}
	blobs := filepath.Join(s.dir, "blobs", "sha256")
	entries, err := os.ReadDir(blobs)
	if err != nil && !os.IsNotExist(err) {
		return rep, err
	}
	for _, e := range entries {
		fi, err := e.Info()
		if err != nil {
			continue
		}
		if marked[e.Name()] || fi.ModTime().After(cutoff) {
			rep.Blobs++
			rep.Bytes += fi.Size()
			continue
		}
		if err := os.Remove(filepath.Join(blobs, e.Name())); err != nil {
			return rep, err
		}
		rep.BlobsRemoved++
		rep.BytesFreed += fi.Size()
	}
	if rep.BlobsRemoved > 0 {
		if err := syncDir(blobs); err != nil {
			return rep, err
		}
	}
	removeLeftovers(s.dir, cutoff)
	return rep, nil
}

// reachable marks repo@digest for every manifest a tag reaches, directly
// or through indexes.
func reachable(recs []record) map[string]bool {
	byKey := map[string]record{}
	for _, rec := range recs {
		byKey[rec.Repo+"@"+rec.Ref] = rec
	}
	seen := map[string]bool{}
	var walk func(repo, digest string)
	walk = func(repo, digest string) {
		key := repo + "@" + digest
		if seen[key] {
			return
		}
		seen[key] = true
		if rec, ok := byKey[key]; ok {
			refs, _ := referencesOf(rec.Body)
			for _, m := range refs.Manifests {
				walk(repo, m.Digest.String())
			}
		}
	}
	for _, rec := range recs {
		if !isDigest(rec.Ref) {
			walk(rec.Repo, digestOf(rec.Body))
		}
	}
	return seen
}

func olderThan(p string, cutoff time.Time) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.ModTime().Before(cutoff)
}

// removeLeftovers removes what crashed writes left: blob uploads and
// journal records that never reached their place.
func removeLeftovers(dir string, cutoff time.Time) {
	uploads, _ := filepath.Glob(filepath.Join(dir, "blobs", "upload-*"))
	staged, _ := filepath.Glob(filepath.Join(dir, "manifests", "*", "*.json.tmp-*"))
	for _, p := range append(uploads, staged...) {
		if olderThan(p, cutoff) && !strings.HasSuffix(p, ".json") {
			os.Remove(p)
		}
	}
}
