package registry

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
	"strings"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
)

// identityHeader lets a kiln process recognise a registry serving the same dir.
const identityHeader = "Kiln-Registry-Dir"

// Registry is a running (or found) embedded registry.
type Registry struct {
	// Addr is host:port, e.g. 127.0.0.1:41234.
	Addr string
	dir  string
	srv  *http.Server
}

// Handler returns the disk-backed registry handler for dir.
func Handler(dir string) (http.Handler, error) {
	if err := os.MkdirAll(filepath.Join(dir, "blobs"), 0o755); err != nil {
		return nil, err
	}
	inner := ggcr.New(ggcr.WithBlobHandler(ggcr.NewDiskBlobHandler(filepath.Join(dir, "blobs"))),
		ggcr.Logger(log.New(io.Discard, "", 0)))
	j := &journal{dir: filepath.Join(dir, "manifests"), next: inner}
	if err := j.replay(); err != nil {
		return nil, err
	}
	abs, _ := filepath.Abs(dir)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(identityHeader, abs)
		j.ServeHTTP(w, r)
	}), nil
}

// Open serves the registry stored in dir, or attaches to the kiln process
// already serving it. addr overrides the remembered address ("" = remembered,
// else a random free loopback port).
func Open(dir, addr string) (*Registry, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("registry storage %s: %w", dir, err)
	}
	addrFile := filepath.Join(dir, "address")
	if addr == "" {
		if b, err := os.ReadFile(addrFile); err == nil {
			addr = strings.TrimSpace(string(b))
		}
	}
	if addr != "" && servesDir(addr, dir) {
		return &Registry{Addr: addr, dir: dir}, nil
	}
	h, err := Handler(dir)
	if err != nil {
		return nil, err
	}
	ln, err := listen(addr)
	if err != nil {
		return nil, err
	}
	r := &Registry{Addr: ln.Addr().String(), dir: dir, srv: &http.Server{Handler: h, ReadHeaderTimeout: time.Minute}}
	if r.Addr != addr {
		if err := os.WriteFile(addrFile, []byte(r.Addr+"\n"), 0o644); err != nil {
			ln.Close()
			return nil, err
		}
	}
	go r.srv.Serve(ln)
	return r, nil
}

func listen(addr string) (net.Listener, error) {
	if addr != "" {
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln, nil
		}
		fmt.Fprintf(os.Stderr, "kiln registry: %s is taken (%v); moving to a new port (images built before keep their old references)\n", addr, err)
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

// servesDir reports whether a kiln registry for dir already answers at addr.
func servesDir(addr, dir string) bool {
	c := &http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://" + addr + "/v2/")
	if err != nil {
		return false
	}
	resp.Body.Close()
	abs, _ := filepath.Abs(dir)
	return resp.Header.Get(identityHeader) == abs
}

// Serving reports whether this process serves (rather than attached).
func (r *Registry) Serving() bool { return r.srv != nil }

// Close stops serving (no-op when attached to another process).
func (r *Registry) Close() error {
	if r.srv == nil {
		return nil
	}
	// Let in-flight requests (another kiln process may be attached) finish;
	// connections that never sent a request would hold Shutdown for 5 s.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := r.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return r.srv.Close()
}

// Ref qualifies an image name with this registry: "hello" -> "ADDR/hello:latest".
// Names that already carry a registry host are returned unchanged.
func (r *Registry) Ref(name string) string {
	if IsQualified(name) {
		return name
	}
	if !strings.Contains(name[strings.LastIndex(name, "/")+1:], ":") && !strings.Contains(name, "@") {
		name += ":latest"
	}
	return r.Addr + "/" + name
}

// IsQualified reports whether name starts with a registry host (has a dot,
// a colon or is "localhost" before the first slash).
func IsQualified(name string) bool {
	first, _, found := strings.Cut(name, "/")
	return found && (strings.ContainsAny(first, ".:") || first == "localhost")
}
