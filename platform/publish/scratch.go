package publish

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	ggcr "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// scratch is a private loopback registry (blobs on disk under the publish
// work dir) where pack writes the per-architecture buildpackages and
// builders and reads build images from, before kiln assembles the indexes
// and pushes them to the real registry with the user's credentials. pack
// therefore never needs to push anywhere but here.
type scratch struct {
	addr string
	srv  *http.Server
}

func startScratch(dir string) (*scratch, error) {
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return nil, fmt.Errorf("scratch registry: %w", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("scratch registry: %w", err)
	}
	h := ggcr.New(ggcr.WithBlobHandler(ggcr.NewDiskBlobHandler(filepath.Join(dir, "blobs"))), ggcr.Logger(log.New(io.Discard, "", 0)))
	s := &scratch{addr: ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}}
	go s.srv.Serve(ln)
	return s, nil
}

func (s *scratch) close() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		s.srv.Close()
	}
}

// ref is repo:tag in the scratch registry.
func (s *scratch) ref(repo, tag string) string { return s.addr + "/" + repo + ":" + tag }

func (s *scratch) write(ref string, img v1.Image) error {
	r, err := name.ParseReference(ref)
	if err != nil {
		return err
	}
	return remote.Write(r, img)
}

func (s *scratch) image(ref string) (v1.Image, error) {
	r, err := name.ParseReference(ref)
	if err != nil {
		return nil, err
	}
	return remote.Image(r)
}
