package registry

import (
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
)

// server is the registry's HTTP handler: token check for writes, names
// validated, manifests through the journal, blobs on disk, and kiln's own
// endpoints (/kiln/v1/: status, gc, stop).
type server struct {
	dir     string
	token   string
	inner   http.Handler
	journal *journal
	// gcMu: writes hold it shared, gc exclusively.
	gcMu sync.RWMutex
	// For the idle exit: requests in flight and when the last one ended.
	active atomic.Int64
	last   atomic.Int64
	// stop asks Serve to return (the stop endpoint); set by Serve.
	stop func()
	// status of the idle checks, for `kiln registry status` and tests.
	idleChecks, idleBusy atomic.Int64
	idleExit             time.Duration
	addr                 string
}

// Handler returns the registry handler over the storage in dir (replaying
// its journal): what Serve serves.
func Handler(dir string) (http.Handler, error) { return newServer(dir) }

func newServer(dir string) (*server, error) {
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return nil, err
	}
	tok, err := token(dir)
	if err != nil {
		return nil, err
	}
	blobs := filepath.Join(dir, "blobs")
	inner := ggcr.New(ggcr.WithBlobHandler(diskBlobs{blobs}), ggcr.Logger(log.New(io.Discard, "", 0)))
	j := &journal{dir: filepath.Join(dir, "manifests"), blobs: blobs, next: inner}
	if err := j.replay(); err != nil {
		return nil, err
	}
	s := &server{dir: dir, token: tok, inner: inner, journal: j, stop: func() {}}
	s.last.Store(time.Now().UnixNano())
	return s, nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != statusPath { // asking whether it is idle does not make it busy
		s.active.Add(1)
		defer func() {
			s.last.Store(time.Now().UnixNano())
			s.active.Add(-1)
		}()
	}
	if c := r.Header.Get(challengeHeader); c != "" && len(c) <= 128 {
		w.Header().Set(proofHeader, proof(s.token, c))
	}
	write := r.Method != http.MethodGet && r.Method != http.MethodHead
	if (write || isKiln(r)) && !authorized(r, s.token) {
		(&regError{http.StatusUnauthorized, "UNAUTHORIZED", "writing to the kiln registry needs its token (" + filepath.Join(s.dir, tokenFile) + ")"}).write(w)
		return
	}
	if isKiln(r) {
		s.kiln(w, r)
		return
	}
	rt, rerr := parseRoute(r.URL.Path)
	if rerr == nil {
		rerr = checkQuery(r.URL.Query())
	}
	if rerr != nil {
		rerr.write(w)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
	case http.MethodPut, http.MethodPost, http.MethodPatch, http.MethodDelete:
		s.gcMu.RLock()
		defer s.gcMu.RUnlock()
	default:
		(&regError{http.StatusMethodNotAllowed, "UNSUPPORTED", r.Method + " is not supported"}).write(w)
		return
	}
	if rt.kind == routeManifest && r.Method == http.MethodPut {
		s.journal.put(w, r, rt)
		return
	}
	if rt.kind == routeManifest && r.Method == http.MethodDelete {
		s.journal.del(w, rt)
		return
	}
	s.inner.ServeHTTP(w, r)
}

// checkQuery validates the digests and repository an upload names.
func checkQuery(q url.Values) *regError {
	for _, k := range []string{"digest", "mount"} {
		if v := q.Get(k); v != "" && !isDigest(v) {
			return &regError{http.StatusBadRequest, "DIGEST_INVALID", k + " " + quote(v) + " is not sha256:<64 hex>"}
		}
	}
	if from := q.Get("from"); from != "" && !validRepo(from) {
		return nameInvalid(from)
	}
	return nil
}

// idleFor is how long no request has been in flight (0 while one is).
func (s *server) idleFor() time.Duration {
	if s.active.Load() > 0 {
		return 0
	}
	return time.Since(time.Unix(0, s.last.Load()))
}
