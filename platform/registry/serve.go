package registry

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ErrServed is Serve's error when another process serves the dir.
var ErrServed = errors.New("another kiln process already serves this registry")

// ServeOptions say where Serve listens and when it returns on its own.
type ServeOptions struct {
	// Addr is the loopback address to listen on: "" = the remembered one
	// (<dir>/address), else a free port on 127.0.0.1.
	Addr string
	// IdleExit > 0 makes Serve return once no request has come for that
	// long and no kiln process is attached (holds a lease).
	IdleExit time.Duration
	// Ready, if set, is called with the address once requests are served.
	Ready func(addr string)
}

// Serve serves the registry stored in dir until ctx ends, a stop request
// (kiln registry stop) or the idle exit. Only one process serves a dir: it
// holds <dir>/serve.lock, and Serve fails with ErrServed when it is taken.
func Serve(ctx context.Context, dir string, o ServeOptions) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("registry storage %s: %w", dir, err)
	}
	unlock, ok, err := flock(dir, serveLock, true, false)
	if err != nil {
		return fmt.Errorf("registry %s: locking: %w", dir, err)
	}
	if !ok {
		return fmt.Errorf("%w (%s, at %s): kiln registry stop stops it", ErrServed, dir, rememberedAddr(dir))
	}
	defer unlock()
	s, err := newServer(dir)
	if err != nil {
		return err
	}
	addr := o.Addr
	if addr == "" {
		addr = rememberedAddr(dir)
	}
	ln, err := listen(addr)
	if err != nil {
		return err
	}
	s.addr, s.idleExit = ln.Addr().String(), o.IdleExit
	if err := writeAddress(dir, s.addr); err != nil {
		ln.Close()
		return err
	}
	conns := &newConns{since: map[net.Conn]time.Time{}}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: time.Minute, ConnState: conns.track}
	stopped := make(chan struct{})
	s.stop = sync.OnceFunc(func() { close(stopped) })
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	if o.Ready != nil {
		o.Ready(s.addr)
	}
	clients, err := s.wait(ctx, stopped, served, o.IdleExit)
	// Stop listening, let requests in flight finish, then free the serve
	// lock before the clients lock: a client waiting on the latter must find
	// the dir free to serve.
	shutdown(srv, conns)
	unlock()
	if clients != nil {
		clients()
	}
	return err
}

// shutdown stops srv, letting requests in flight finish for up to 30 s.
// Connections that never sent a request (clients dial spares) would hold
// Shutdown for 5 s: they are closed.
func shutdown(srv *http.Server, conns *newConns) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{})
	go func() { srv.Shutdown(ctx); close(done) }()
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-done:
			srv.Close()
			return
		case <-t.C:
			conns.closeIdle(50 * time.Millisecond)
		}
	}
}

// newConns tracks connections that have not sent a request yet.
type newConns struct {
	mu    sync.Mutex
	since map[net.Conn]time.Time
}

func (c *newConns) track(conn net.Conn, st http.ConnState) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st == http.StateNew {
		c.since[conn] = time.Now()
	} else {
		delete(c.since, conn)
	}
}

func (c *newConns) closeIdle(age time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for conn, t := range c.since {
		if time.Since(t) > age {
			conn.Close()
			delete(c.since, conn)
		}
	}
}

// wait blocks until Serve should stop; when the idle exit fires it returns
// the clients lock, held exclusively (its release).
func (s *server) wait(ctx context.Context, stopped <-chan struct{}, served <-chan error, idle time.Duration) (func(), error) {
	var tick <-chan time.Time
	if idle > 0 {
		t := time.NewTicker(min(max(idle/4, 10*time.Millisecond), 30*time.Second))
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil, nil
		case <-stopped:
			return nil, nil
		case err := <-served:
			return nil, fmt.Errorf("registry: serving: %w", err)
		case <-tick:
			if s.idleFor() < idle {
				continue
			}
			s.idleChecks.Add(1)
			release, free, err := flock(s.dir, clientsLock, true, false)
			if err == nil && free {
				return release, nil
			}
			s.idleBusy.Add(1)
		}
	}
}

// checkLoopback refuses a listen address off the loopback interface: the
// registry serves reads to anyone who can connect.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("registry address %q: want HOST:PORT on loopback, e.g. 127.0.0.1:5000: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("registry address %q: the kiln registry listens on loopback only (127.0.0.1, ::1 or localhost)", addr)
	}
	return nil
}

func listen(addr string) (net.Listener, error) {
	if addr != "" {
		if err := checkLoopback(addr); err != nil {
			return nil, err
		}
		ln, err := net.Listen("tcp", addr)
		if err == nil {
			return ln, nil
		}
		fmt.Fprintf(os.Stderr, "kiln registry: %s is taken (%v); moving to a new port (images built before keep their old references)\n", addr, err)
	}
	return net.Listen("tcp", "127.0.0.1:0")
}

func rememberedAddr(dir string) string {
	b, err := os.ReadFile(filepath.Join(dir, "address"))
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}

func writeAddress(dir, addr string) error {
	if rememberedAddr(dir) == addr {
		return nil
	}
	tmp, err := writeSynced(dir, ".address-*", []byte(addr+"\n"))
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, filepath.Join(dir, "address")); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
