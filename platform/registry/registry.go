package registry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Registry is this process's handle on the registry stored in a dir: it is
// attached to the one process serving it (holding a lease that keeps a
// detached server from exiting), or, when Options.Detach is false and
// nobody serves it, it serves it itself until Close.
type Registry struct {
	// Addr is host:port on loopback, e.g. 127.0.0.1:41234.
	Addr  string
	dir   string
	auth  authn.Authenticator
	lease func() // the client lease's release
	// In-process serving: cancel stops Serve, done is its result.
	cancel context.CancelFunc
	done   chan error
}

// Options say how OpenWith finds or starts the server.
type Options struct {
	// Addr overrides the remembered address (see ServeOptions.Addr).
	Addr string
	// Detach starts a missing server as a detached process of this
	// executable, which must call ServeIfSpawned first thing; it outlives
	// this process and exits after IdleExit with no kiln process attached.
	// Otherwise a missing server is served by this process until Close.
	Detach bool
	// IdleExit of a detached server; 0 means DefaultIdleExit, < 0 never.
	IdleExit time.Duration
}

// DefaultIdleExit is how long a detached server outlives its last client.
const DefaultIdleExit = 10 * time.Minute

// startTimeout bounds how long OpenWith waits for a server to answer.
const startTimeout = 30 * time.Second

// spawnable is set by ServeIfSpawned: this executable can be a server.
var spawnable atomic.Bool

// Open attaches to the registry stored in dir, starting its server when
// none runs: detached when the executable called ServeIfSpawned (the kiln
// CLI), else in this process. addr overrides the remembered address.
func Open(dir, addr string) (*Registry, error) {
	return OpenWith(dir, Options{Addr: addr, Detach: spawnable.Load()})
}

// OpenWith is Open with options.
func OpenWith(dir string, o Options) (*Registry, error) {
	if o.Addr != "" {
		if err := checkLoopback(o.Addr); err != nil {
			return nil, err
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("registry storage %s: %w", dir, err)
	}
	tok, err := token(dir)
	if err != nil {
		return nil, err
	}
	lease, _, err := flock(dir, clientsLock, false, true)
	if err != nil {
		return nil, fmt.Errorf("registry %s: taking a client lease: %w", dir, err)
	}
	r := &Registry{dir: dir, auth: &authn.Basic{Username: tokenUser, Password: tok}, lease: lease}
	if err := r.connect(o, tok); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// connect finds the server of r.dir or starts one, until one answers.
func (r *Registry) connect(o Options, tok string) error {
	deadline := time.Now().Add(startTimeout)
	var child *spawned
	var spawnedAt time.Time
	for {
		addr, ok, err := find(r.dir, o.Addr, tok)
		if err != nil {
			return err
		}
		if ok {
			r.Addr = addr
			r.waitLoser(child)
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("registry %s: no server answered within %s; its log: %s", r.dir, startTimeout, logTail(r.dir))
		}
		switch {
		case o.Detach && child == nil:
			if time.Since(spawnedAt) > 200*time.Millisecond { // not too often: one lost, another is serving
				if child, err = spawn(r.dir, o); err != nil {
					return err
				}
				spawnedAt = time.Now()
			}
		case o.Detach:
			select {
			case err := <-child.done: // it lost the race to serve (exit 0) or failed
				child = nil
				if err != nil {
					return fmt.Errorf("registry %s: the server exited (%v); its log: %s", r.dir, err, logTail(r.dir))
				}
			default:
			}
		default:
			served, err := r.serveHere(o.Addr)
			if served || !errors.Is(err, ErrServed) {
				return err
			}
		}
		time.Sleep(5 * time.Millisecond) // a server is starting: poll it
	}
}

// waitLoser waits for a server process this one started that is not the
// one r found: it exits at once (the dir is served), and must not outlive
// the attach (were the found server stopped meanwhile, it would serve
// with nobody asking).
func (r *Registry) waitLoser(child *spawned) {
	if child == nil {
		return
	}
	if st, err := r.Status(); err == nil && st.PID == child.pid {
		return // it won
	}
	select {
	case <-child.done:
	case <-time.After(startTimeout):
	}
}

// serveHere serves r.dir in this process; false with ErrServed when
// another process holds it (it is starting: poll it).
func (r *Registry) serveHere(addr string) (bool, error) {
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan string, 1), make(chan error, 1)
	go func() { done <- Serve(ctx, r.dir, ServeOptions{Addr: addr, Ready: func(a string) { ready <- a }}) }()
	select {
	case a := <-ready:
		r.Addr, r.cancel, r.done = a, cancel, done
		return true, nil
	case err := <-done:
		cancel()
		return false, err
	}
}

// find returns the address where the server of dir answers with proof
// that it holds dir's token.
func find(dir, override, tok string) (string, bool, error) {
	remembered := rememberedAddr(dir)
	if override == "" {
		return remembered, remembered != "" && answers(remembered, tok), nil
	}
	if answers(override, tok) {
		return override, true, nil
	}
	if remembered != "" && remembered != override && answers(remembered, tok) {
		return "", false, fmt.Errorf("registry %s is served at %s, not %s: kiln registry stop, then serve it at the new address", dir, remembered, override)
	}
	return "", false, nil
}

// probe talks to loopback only, never through a proxy.
var probe = &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}

// answers reports whether the registry at addr proves it holds tok.
func answers(addr, tok string) bool {
	c := make([]byte, 16)
	rand.Read(c)
	challenge := hex.EncodeToString(c)
	req, err := http.NewRequest(http.MethodGet, "http://"+addr+"/v2/", nil)
	if err != nil {
		return false
	}
	req.Header.Set(challengeHeader, challenge)
	resp, err := probe.Do(req)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.Header.Get(proofHeader) == proof(tok, challenge)
}

// Serving reports whether this process serves the registry (rather than
// being attached to another process).
func (r *Registry) Serving() bool { return r.cancel != nil }

// Close detaches (a detached server keeps serving the others), or stops
// serving when this process serves it.
func (r *Registry) Close() error {
	var err error
	if r.cancel != nil {
		r.cancel()
		err = <-r.done
		r.cancel = nil
	}
	if r.lease != nil {
		r.lease()
		r.lease = nil
	}
	return err
}

// Auth is the registry's write credential (see the package Auth).
func (r *Registry) Auth() authn.Authenticator { return r.auth }

// RemoteOptions are what go-containerregistry's remote needs to push here.
func (r *Registry) RemoteOptions() []remote.Option { return []remote.Option{remote.WithAuth(r.auth)} }

// Dir is where the registry is stored.
func (r *Registry) Dir() string { return r.dir }

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

func logTail(dir string) string {
	p := filepath.Join(dir, "server.log")
	b, err := os.ReadFile(p)
	if err != nil || len(b) == 0 {
		return p + " (empty)"
	}
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return p + ":\n" + string(b)
}
