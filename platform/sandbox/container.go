package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// Container is one program run in the sandbox by the OCI runtime. Start it
// from a job, inside the helper (see Enter).
type Container struct {
	// Rootfs is the flattened image: the read-only lower layer of the
	// overlay the program sees as /.
	Rootfs string
	// State holds the container's writable layer (State/upper: what the
	// program wrote to its root), the overlay's work dir, the bundle and the
	// runtime's state. It must exist; the caller removes it.
	State  string
	Mounts []Mount
	// UID and GID are the program's ids inside (0 is the image's root,
	// which is not host root and has no capabilities).
	UID, GID int
	Args     []string
	Env      []string
	Dir      string
	Hostname string
	Net      Network
	Stdin    io.Reader
	Stdout   io.Writer
	Stderr   io.Writer
}

// Mount binds a path the helper can reach into the container.
type Mount struct {
	Source, Destination string
	ReadOnly, NoExec    bool
}

// Network is what the container's own network namespace is connected to;
// the zero value is a loopback interface and nothing else.
type Network struct {
	// Egress adds a tap0 interface routed to the internet by slirp4netns,
	// with DNS, and without access to the host's loopback.
	Egress bool
	// Publish forwards connections accepted on host listeners into the
	// container.
	Publish []Publish
	// HostPorts are host loopback ports the container reaches at
	// 127.0.0.1:PORT (a mirror served by a test, daprd beside a function).
	HostPorts []int
}

// Publish forwards Listener's connections (host side) to 127.0.0.1:Port in
// the container.
type Publish struct {
	Listener net.Listener
	Port     int
}

// Running is a started container.
type Running struct {
	c     *Container
	cmd   *exec.Cmd
	ns    *netNS
	slirp *slirp
	fwd   forwarder
	root  string
	runc  string // the read-only runc binary, if bound
	done  chan struct{}
	code  int
	err   error
	notes bytes.Buffer // slirp4netns output, shown when something fails
}

// Start mounts the container's root, creates and wires its network
// namespace and starts the program under the runtime.
func (c *Container) Start() (_ *Running, err error) {
	trace("container start")
	rt, err := findRuntime()
	if err != nil {
		return nil, err
	}
	if err := rt.prepare(); err != nil {
		return nil, err
	}
	if strings.ContainsAny(c.Rootfs+c.State, ",:\\") {
		return nil, fmt.Errorf("sandbox: %q or %q holds a ',', ':' or '\\', which overlayfs mount options cannot carry: use another --state-dir or KILN_HOME", c.Rootfs, c.State)
	}
	r := &Running{c: c, done: make(chan struct{})}
	defer func() {
		if err != nil {
			r.teardown()
		}
	}()
	upper, work, bundle := filepath.Join(c.State, "upper"), filepath.Join(c.State, "work"), filepath.Join(c.State, "bundle")
	r.root = filepath.Join(c.State, "root")
	for _, d := range []string{upper, work, bundle, r.root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	opts := "lowerdir=" + c.Rootfs + ",upperdir=" + upper + ",workdir=" + work
	if err := unix.Mount("overlay", r.root, "overlay", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		r.root = ""
		return nil, fmt.Errorf("sandbox: mounting the overlay root (%s): %w", opts, err)
	}
	trace("overlay mounted")
	if r.ns, err = newNetNS(filepath.Join(c.State, "netns")); err != nil {
		return nil, err
	}
	trace("network namespace")
	if c.Net.Egress {
		if r.slirp, err = startSlirp(r.ns.path, &r.notes); err != nil {
			return nil, err
		}
	}
	for _, p := range c.Net.Publish {
		r.fwd.publish(p.Listener, r.ns, p.Port)
	}
	for _, p := range c.Net.HostPorts {
		if err := r.fwd.expose(r.ns, p); err != nil {
			return nil, fmt.Errorf("sandbox: exposing host port %d inside: %w", p, err)
		}
	}
	etc, err := c.networkFiles()
	if err != nil {
		return nil, err
	}
	spec, err := c.ociSpec(r.root, r.ns.path)
	if err != nil {
		return nil, err
	}
	spec.Mounts = append(spec.Mounts, etc...)
	b, err := json.MarshalIndent(spec, "", " ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(bundle, "config.json"), b, 0o644); err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	trace("bundle written")
	bin := rt.Path
	if rt.Name == "runc" {
		if r.runc = readOnlyRunc(rt.Path, c.State); r.runc != "" {
			bin = r.runc
		}
	}
	r.cmd = exec.Command(bin, rt.runArgs(filepath.Join(c.State, "runtime"), bundle, "kiln", filepath.Join(c.State, "pid"))...)
	if r.runc != "" {
		r.cmd.Env = append(os.Environ(), clonedBinaryEnv+"=1")
	}
	r.cmd.Stdin, r.cmd.Stdout, r.cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	r.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	waited, err := startPinned(r.cmd)
	if err != nil {
		return nil, fmt.Errorf("sandbox: starting %s: %w", rt.Name, err)
	}
	trace(rt.Name + " started")
	go r.wait(waited)
	return r, nil
}

// networkFiles writes the container's /etc/hosts, /etc/hostname and
// /etc/resolv.conf into its state and returns their (read-only) mounts. The
// runtime resolves each destination inside the container's root, so an
// image whose /etc/hosts is a symlink cannot redirect the mount to the host.
func (c *Container) networkFiles() ([]ociMount, error) {
	host := c.Hostname
	if host == "" {
		host = "kiln"
	}
	resolv := "# no network: this sandbox reaches only what kiln forwards into it\n"
	if c.Net.Egress {
		resolv = "nameserver " + slirpDNS + "\n"
	}
	files := []struct{ name, body string }{
		{"hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + host + "\n"},
		{"hostname", host + "\n"},
		{"resolv.conf", resolv},
	}
	dir := filepath.Join(c.State, "etc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	var ms []ociMount
	for _, f := range files {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte(f.body), 0o644); err != nil {
			return nil, err
		}
		ms = append(ms, ociMount{Destination: "/etc/" + f.name, Type: "bind", Source: p, Options: []string{"rbind", "ro", "nosuid", "nodev", "noexec"}})
	}
	return ms, nil
}

func (r *Running) wait(waited <-chan error) {
	err := <-waited
	r.code = r.cmd.ProcessState.ExitCode()
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		r.code = 128 + int(ws.Signal())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		r.err = err
	}
	r.teardown()
	close(r.done)
}

// teardown stops forwarding and the network, and unmounts the root.
func (r *Running) teardown() {
	r.fwd.close()
	if r.slirp != nil {
		r.slirp.stop()
	}
	if r.ns != nil {
		r.ns.Close()
	}
	if r.root != "" {
		unix.Unmount(r.root, unix.MNT_DETACH)
	}
	if r.runc != "" {
		unix.Unmount(r.runc, unix.MNT_DETACH)
	}
}

// Done is closed when the program has exited and the container is gone.
func (r *Running) Done() <-chan struct{} { return r.done }

// Wait returns the program's exit code (128+N when killed by signal N).
func (r *Running) Wait() (int, error) {
	<-r.done
	return r.code, r.err
}

// Dial connects to port inside the container (readiness checks).
func (r *Running) Dial(port int, timeout time.Duration) (net.Conn, error) {
	return r.ns.Dial(net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), timeout)
}

// Signal sends sig to the program (the container's first process).
func (r *Running) Signal(sig syscall.Signal) {
	if b, err := os.ReadFile(filepath.Join(r.c.State, "pid")); err == nil {
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 0 {
			if unix.Kill(pid, sig) == nil {
				return
			}
		}
	}
	r.cmd.Process.Signal(sig) // not created yet: the runtime passes it on
}

// Stop sends SIGTERM and, after grace, SIGKILL; killing the first process
// ends the container's pid namespace and everything in it.
func (r *Running) Stop(grace time.Duration) {
	select {
	case <-r.done:
		return
	default:
	}
	r.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
		return
	case <-time.After(grace):
	}
	r.Signal(syscall.SIGKILL)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}
