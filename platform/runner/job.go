package runner

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/registry"
	"kiln.dev/kiln/platform/sandbox"
	"kiln.dev/kiln/platform/statedir"
)

const (
	runJobName  = "runner.run"
	eventPulled = "pulled"
	eventReady  = "ready"
)

func init() { sandbox.Register(runJobName, runJob) }

// runRequest is what kiln run hands the helper.
type runRequest struct {
	Store string `json:"store"`
	// Ref is pulled and flattened into the store unless Rootfs is set.
	Ref    string         `json:"ref"`
	Rootfs string         `json:"rootfs,omitempty"`
	Config *v1.ConfigFile `json:"config,omitempty"`
	Port   int            `json:"port"`
	Env    []string       `json:"env,omitempty"`
	Args   []string       `json:"args,omitempty"`
	// HostPorts are exposed inside at 127.0.0.1:PORT.
	HostPorts []int         `json:"hostPorts,omitempty"`
	StateDir  string        `json:"stateDir"`
	Keep      bool          `json:"keep,omitempty"`
	Grace     time.Duration `json:"grace"`
}

// runJob runs in the helper: it sweeps what dead kiln processes left,
// flattens the image if needed, and serves it until kiln stops it.
func runJob(ctx context.Context, in *sandbox.Inside) (int, error) {
	var req runRequest
	if err := in.Decode(&req); err != nil {
		return 125, err
	}
	if !req.Keep {
		defer os.RemoveAll(req.StateDir)
	}
	sweep(home.Dir(req.Store))
	sandbox.Trace("swept")
	rootfs, cfg := req.Rootfs, req.Config
	if rootfs == "" {
		img, err := pull(req.Ref, home.Dir(req.Store).Rootfs())
		if err != nil {
			return 125, err
		}
		rootfs, cfg = img.Rootfs, img.Config
		in.Send(eventPulled, img.Digest.String())
	}
	// In use while the function runs: kiln cache gc leaves it alone.
	release, err := imagefs.Use(rootfs)
	if err != nil {
		return 125, fmt.Errorf("%w: run the function again", err)
	}
	defer release()
	c, err := container(req, rootfs, cfg)
	if err != nil {
		return 125, err
	}
	ln, err := net.FileListener(in.File(0))
	if err != nil {
		return 125, fmt.Errorf("the published port: %w", err)
	}
	c.Net.Publish = []sandbox.Publish{{Listener: ln, Port: req.Port}}
	c.Stdout, c.Stderr = os.Stdout, os.Stderr
	r, err := c.Start()
	if err != nil {
		return 125, err
	}
	go func() {
		if waitReady(r, req.Port) {
			sandbox.Trace("function ready")
			in.Send(eventReady, nil)
		}
	}()
	select {
	case <-ctx.Done():
		r.Stop(req.Grace)
	case <-r.Done():
	}
	return r.Wait()
}

// container is the sandbox for the image: its entrypoint as its user, with
// PORT set, in the state directory.
func container(req runRequest, rootfs string, cfg *v1.ConfigFile) (*sandbox.Container, error) {
	if cfg == nil {
		return nil, fmt.Errorf("image %s has no config", req.Ref)
	}
	args := command(cfg.Config, req.Args)
	if len(args) == 0 {
		return nil, fmt.Errorf("image %s has no entrypoint or command", req.Ref)
	}
	uid, gid, err := parseUser(cfg.Config.User)
	if err != nil {
		return nil, fmt.Errorf("image %s: %w", req.Ref, err)
	}
	env := append(append(append([]string(nil), cfg.Config.Env...), "PORT="+strconv.Itoa(req.Port)), req.Env...)
	return &sandbox.Container{Rootfs: rootfs, State: req.StateDir, UID: uid, GID: gid,
		Args: args, Env: env, Dir: cfg.Config.WorkingDir, Hostname: hostname(req.Ref),
		Net: sandbox.Network{HostPorts: req.HostPorts}}, nil
}

// waitReady polls the function's port inside its network namespace.
func waitReady(r *sandbox.Running, port int) bool {
	for {
		if c, err := r.Dial(port, 100*time.Millisecond); err == nil {
			c.Close()
			return true
		}
		select {
		case <-r.Done():
			return false
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// sweep removes state of builds and runs whose kiln process is gone, and
// half-flattened images (Ctrl-C, SIGKILL, a crash). It runs in the helper,
// which may remove files the sandbox's ids own.
func sweep(store home.Dir) {
	statedir.Sweep(store.Runs(), "build-", "run-")
	statedir.SweepTemporary(store.Rootfs(), "flatten-")
}

// pull flattens ref into dir, marked as writing there (see statedir).
func pull(ref, dir string) (*imagefs.Image, error) {
	done, err := statedir.Writing(dir)
	if err != nil {
		return nil, err
	}
	defer done()
	return imagefs.Pull(ref, dir)
}

// localImage finds an unqualified name in the embedded registry's storage
// whose rootfs is already flattened: how kiln run starts in milliseconds,
// without a registry server.
func localImage(registryDir, image, rootfsDir string) (*imagefs.Image, bool) {
	if registry.IsQualified(image) || strings.Contains(image, "@") {
		return nil, false
	}
	repo, tag := image, "latest"
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		repo, tag = image[:i], image[i+1:]
	}
	digest, cfg, err := registry.Resolve(registryDir, repo, tag)
	if err != nil {
		return nil, false
	}
	ref, err := name.ParseReference("kiln.local/" + repo + ":" + tag)
	if err != nil {
		return nil, false
	}
	return imagefs.Cached(ref, digest, cfg, rootfsDir)
}

// hostname is the image's repository's last element, as a valid host name.
func hostname(ref string) string {
	r, err := name.ParseReference(ref)
	if err != nil {
		return "kiln"
	}
	n := filepath.Base(r.Context().RepositoryStr())
	out := make([]byte, 0, len(n))
	for i := 0; i < len(n) && len(out) < 63; i++ {
		c := n[i]
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		return "kiln"
	}
	return string(out)
}
