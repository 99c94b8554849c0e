package runner

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"kiln.dev/kiln/platform/imagefs"
	"kiln.dev/kiln/platform/sandbox"
)

// Options configures one run.
type Options struct {
	Image     string
	Port      int // 0 picks a free port
	Env       []string
	Args      []string
	RootfsDir string
	// Local, when set, resolves the image from the embedded registry's storage
	// without a server; Pull is the fallback when it is not flattened yet.
	Local     func() (*imagefs.Image, bool)
	StateDir  string // overlay state; removed after the run unless KeepState
	KeepState bool
	Grace     time.Duration
	Out       io.Writer // kiln's own messages
	Stdout    io.Writer // the function's output
	Stderr    io.Writer
	// Ready is called with the URL once the port accepts connections.
	Ready func(url string, sinceStart time.Duration)
}

// Run serves the image until ctx is done or the function exits.
func Run(ctx context.Context, opts Options) (int, error) {
	if err := sandbox.RequireRoot("kiln run"); err != nil {
		return 0, err
	}
	var img *imagefs.Image
	if opts.Local != nil {
		img, _ = opts.Local()
	}
	if img == nil {
		var err error
		if img, err = imagefs.Pull(opts.Image, opts.RootfsDir); err != nil {
			return 0, err
		}
	}
	cfg := img.Config.Config
	args := append(append([]string(nil), cfg.Entrypoint...), cfg.Cmd...)
	if len(opts.Args) > 0 {
		args = append(append([]string(nil), cfg.Entrypoint...), opts.Args...)
	}
	if len(args) == 0 {
		return 0, fmt.Errorf("image %s has no entrypoint or command", opts.Image)
	}
	uid, gid, err := parseUser(cfg.User)
	if err != nil {
		return 0, fmt.Errorf("image %s: %w", opts.Image, err)
	}
	port := opts.Port
	if port == 0 {
		if port, err = freePort(); err != nil {
			return 0, err
		}
	}
	env := append(append(append([]string(nil), cfg.Env...), "PORT="+strconv.Itoa(port)), opts.Env...)
	dir := cfg.WorkingDir
	if dir == "" {
		dir = "/"
	}
	if !opts.KeepState {
		defer os.RemoveAll(opts.StateDir)
	}
	start := time.Now()
	p, err := sandbox.Start(sandbox.Spec{Lower: img.Rootfs, State: opts.StateDir, Binds: sandbox.HostNetworkBinds(), Args: args, Env: env, Dir: dir, UID: uid, GID: gid},
		nil, opts.Stdout, opts.Stderr)
	if err != nil {
		return 0, err
	}
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	go waitReady(ctx, p, port, func() {
		if opts.Ready != nil {
			opts.Ready(url, time.Since(start))
		}
	})
	select {
	case <-ctx.Done():
		grace := opts.Grace
		if grace == 0 {
			grace = 10 * time.Second
		}
		fmt.Fprintf(opts.Out, "==> Stopping %s (SIGTERM, then SIGKILL after %s)\n", opts.Image, grace)
		p.Stop(grace)
	case <-p.Done():
	}
	return p.Wait()
}

// waitReady polls the port until it accepts a connection.
func waitReady(ctx context.Context, p *sandbox.Process, port int, ready func()) {
	addr := "127.0.0.1:" + strconv.Itoa(port)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			ready()
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-p.Done():
			return
		case <-time.After(2 * time.Millisecond):
		}
	}
}

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

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// StateDirFor returns a fresh state directory under base.
func StateDirFor(base string) (string, error) {
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	return os.MkdirTemp(base, "run-")
}
