package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/hostports"
	"kiln.dev/kiln/platform/sandbox"
	"kiln.dev/kiln/platform/statedir"
)

// Options configures one run.
type Options struct {
	// Image is the image as the user named it.
	Image string
	// Qualify is called when Image must be pulled (it is not flattened
	// yet, or not in the embedded registry's storage): it serves (or attaches
	// to) the registry and returns a pullable reference; release is called
	// once the image is flattened.
	Qualify func(image string) (ref string, release func(), err error)
	// Home is kiln's state directory.
	Home home.Dir
	// Port is the host port (0 picks a free one); the function listens on
	// the same port inside its network namespace (PORT).
	Port int
	// PublishAddress is the host address the port is published on
	// (default 127.0.0.1).
	PublishAddress string
	// HostPorts are host loopback ports the function reaches at
	// 127.0.0.1:PORT (daprd beside it, --allow-host-port). Ports that Env
	// values name on the host's loopback (OTEL_EXPORTER_OTLP_ENDPOINT=
	// http://127.0.0.1:4318) are added; the embedded registry's never is.
	HostPorts []int
	Env       []string
	Args      []string
	// StateDir keeps the run's writable layer there (default: a fresh
	// directory in the store, removed afterwards).
	StateDir string
	Grace    time.Duration
	Out      io.Writer // kiln's own messages
	Stdout   io.Writer // the function's output
	Stderr   io.Writer
	// Ready is called with the URL once the function accepts connections.
	Ready func(url string, sinceStart time.Duration)
}

// Run serves the image until ctx is done or the function exits, and
// returns the function's exit code.
func Run(ctx context.Context, opts Options) (int, error) {
	start := time.Now()
	ids, err := sandbox.CurrentIDMap()
	if err != nil {
		return 0, err
	}
	if opts.Grace == 0 {
		opts.Grace = 10 * time.Second
	}
	store := opts.Home.IDStore(ids.Key())
	if err := sandbox.PrepareDirs(ids, store.Runs(), store.Rootfs()); err != nil {
		return 0, err
	}
	hostPorts, err := reachable(opts)
	if err != nil {
		return 0, err
	}
	req := runRequest{Store: string(store), Env: opts.Env, Args: opts.Args, HostPorts: hostPorts, Grace: opts.Grace}
	sandbox.Trace("run: ids and store")
	release := func() {}
	if img, ok := localImage(opts.Home.Registry(), opts.Image, store.Rootfs()); ok {
		req.Ref, req.Rootfs, req.Config = opts.Image, img.Rootfs, img.Config
	} else {
		if opts.Qualify == nil {
			return 0, fmt.Errorf("image %s is not in the embedded registry's storage", opts.Image)
		}
		if req.Ref, release, err = opts.Qualify(opts.Image); err != nil {
			return 0, err
		}
	}
	sandbox.Trace("run: image resolved")
	var releaseOnce sync.Once
	releaseRegistry := func() { releaseOnce.Do(release) }
	defer releaseRegistry()
	ln, err := listen(opts.PublishAddress, opts.Port)
	if err != nil {
		return 0, err
	}
	req.Port = ln.Addr().(*net.TCPAddr).Port
	lf, err := ln.(*net.TCPListener).File()
	ln.Close()
	if err != nil {
		return 0, err
	}
	paths := []string{string(store)}
	state, err := stateDir(ids, store, opts.StateDir)
	if err != nil {
		lf.Close()
		return 0, err
	}
	defer state.Release()
	req.StateDir, req.Keep = state.Path, opts.StateDir != ""
	if req.Keep {
		paths = append(paths, state.Path)
	}
	sandbox.Trace("run: listener and state dir")
	url := "http://" + net.JoinHostPort(displayHost(opts.PublishAddress), strconv.Itoa(req.Port))
	h, err := sandbox.Enter(sandbox.Options{Job: runJobName, Request: req, IDs: ids, Paths: paths,
		Stdout: opts.Stdout, Stderr: opts.Stderr, Files: []*os.File{lf},
		OnEvent: func(e sandbox.Event) {
			switch e.Kind {
			case eventPulled:
				releaseRegistry()
			case eventReady:
				sandbox.Trace("run: ready")
				if opts.Ready != nil {
					opts.Ready(url, time.Since(start))
				}
			}
		}})
	lf.Close() // the helper holds the listener now
	if err != nil {
		return 0, err
	}
	select {
	case <-ctx.Done():
		fmt.Fprintf(opts.Out, "==> Stopping %s (SIGTERM, then SIGKILL after %s)\n", opts.Image, opts.Grace)
		h.Stop(opts.Grace + 5*time.Second)
	case <-h.Done():
	}
	return h.Wait()
}

// reachable is the host loopback ports the function may reach: the ones
// given, and the ones its --env names (said on Out), never the embedded
// registry's.
func reachable(opts Options) ([]int, error) {
	registryPort := -1
	if b, err := os.ReadFile(filepath.Join(opts.Home.Registry(), "address")); err == nil {
		if _, p, err := net.SplitHostPort(strings.TrimSpace(string(b))); err == nil {
			registryPort, _ = strconv.Atoi(p)
		}
	}
	seen := map[int]bool{}
	var ports []int
	for _, p := range opts.HostPorts {
		if p == registryPort {
			return nil, fmt.Errorf("--allow-host-port %d: that is the embedded registry, which functions never reach", p)
		}
		if !seen[p] {
			seen[p] = true
			ports = append(ports, p)
		}
	}
	env := map[string]string{}
	for _, kv := range opts.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	for _, n := range hostports.Find(env) {
		if n.Port == registryPort || seen[n.Port] {
			continue
		}
		seen[n.Port] = true
		ports = append(ports, n.Port)
		if opts.Out != nil {
			fmt.Fprintf(opts.Out, "    the function reaches host %s (named in %s)\n", n.Addr, n.Env)
		}
	}
	return ports, nil
}

// listen binds the published port on the host (an explicit port that is
// taken fails here, with the port in the message).
func listen(addr string, port int) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1"
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(addr, strconv.Itoa(port)))
	if err != nil {
		return nil, fmt.Errorf("publishing the function on %s: %w (pick another --port or --publish-address)", net.JoinHostPort(addr, strconv.Itoa(port)), err)
	}
	return ln, nil
}

func displayHost(addr string) string {
	if addr == "" || addr == "0.0.0.0" || addr == "::" {
		return "127.0.0.1"
	}
	return addr
}

// stateDir is the run's state: --state-dir (adopted and kept) or a fresh
// directory in the store (swept if kiln dies).
func stateDir(ids sandbox.IDMap, store home.Dir, keep string) (*statedir.Dir, error) {
	if keep == "" {
		return statedir.New(store.Runs(), "run-", ids.HostUID(0), ids.HostGID(0))
	}
	if err := sandbox.PrepareDirs(ids, keep); err != nil {
		return nil, err
	}
	d, err := statedir.Adopt(keep)
	if err != nil {
		return nil, err
	}
	if !ids.Rootless {
		os.Lchown(d.Path+"/"+statedir.LockFile, ids.HostUID(0), ids.HostGID(0))
	}
	return d, nil
}

// parseUser reads an image's numeric USER (uid[:gid]); empty is root, which
// in the sandbox is the user running kiln (or an unprivileged id as root).
func parseUser(u string) (int, int, error) {
	if u == "" {
		return 0, 0, nil
	}
	us, gs, _ := strings.Cut(u, ":")
	uid, err := strconv.Atoi(us)
	if err != nil {
		return 0, 0, fmt.Errorf("user %q: kiln needs a numeric uid[:gid]", u)
	}
	gid := uid
	if gs != "" {
		if gid, err = strconv.Atoi(gs); err != nil {
			return 0, 0, fmt.Errorf("user %q: kiln needs a numeric gid", u)
		}
	}
	return uid, gid, nil
}

// command is the image's entrypoint with its command, or with args.
func command(cfg v1.Config, args []string) []string {
	if len(args) > 0 {
		return append(append([]string(nil), cfg.Entrypoint...), args...)
	}
	return append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
}
