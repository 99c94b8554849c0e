package daprsidecar

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"syscall"
	"time"
)

// Version is the daprd platform/tools/build.sh builds.
const Version = "1.14.0"

// Find returns the daprd to run: $KILN_DAPRD, else the one build.sh put under
// toolsDir, else daprd on PATH.
func Find(toolsDir string) (string, error) {
	if p := os.Getenv("KILN_DAPRD"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("env KILN_DAPRD=%s: %w", p, err)
		}
		return p, nil
	}
	built := filepath.Join(toolsDir, "daprd-v"+Version, "daprd")
	if _, err := os.Stat(built); err == nil {
		return built, nil
	}
	if p, err := exec.LookPath("daprd"); err == nil {
		return p, nil
	}
	return "", fmt.Errorf("daprd not found at %s, on PATH or in KILN_DAPRD: build it with `bash platform/tools/build.sh daprd` (make daprd; 2-10 minutes the first time)", built)
}

// Options says how to run daprd.
type Options struct {
	Bin         string
	AppID       string
	AppProtocol string    // grpc or http
	Components  string    // resources folder
	LogLevel    string    // daprd --log-level (default warn)
	Logs        io.Writer // daprd's output
}

// Sidecar is a running daprd.
type Sidecar struct {
	HTTPPort, GRPCPort int
	AppPort            int // the function's port (PORT, daprd's --app-port)
	cmd                *exec.Cmd
	done               chan struct{}
	err                error
}

// Env points a function at the sidecar.
func (s *Sidecar) Env(appProtocol string) []string {
	return []string{
		"DAPR_HOST=127.0.0.1",
		"DAPR_HTTP_PORT=" + strconv.Itoa(s.HTTPPort),
		"DAPR_GRPC_PORT=" + strconv.Itoa(s.GRPCPort),
		"APP_PROTOCOL=" + appProtocol,
		"CONTEXT_MODE=self-host",
	}
}

// Reserve picks the sidecar's ports (and the app port when appPort is 0)
// before the function starts, so its env can carry them.
func Reserve(appPort int) (*Sidecar, error) {
	ports, err := freePorts(3, appPort)
	if err != nil {
		return nil, err
	}
	if appPort == 0 {
		appPort = ports[2]
	}
	return &Sidecar{HTTPPort: ports[0], GRPCPort: ports[1], AppPort: appPort, done: make(chan struct{})}, nil
}

// Start runs daprd self-hosted with the reserved ports.
func (s *Sidecar) Start(o Options) error {
	extra, err := freePorts(2, s.HTTPPort, s.GRPCPort, s.AppPort)
	if err != nil {
		return err
	}
	if o.LogLevel == "" {
		o.LogLevel = "warn"
	}
	args := []string{
		"--app-id", o.AppID, "--app-port", strconv.Itoa(s.AppPort), "--app-protocol", o.AppProtocol,
		"--dapr-http-port", strconv.Itoa(s.HTTPPort), "--dapr-grpc-port", strconv.Itoa(s.GRPCPort),
		"--dapr-internal-grpc-port", strconv.Itoa(extra[0]), "--metrics-port", strconv.Itoa(extra[1]),
		"--dapr-listen-addresses", "127.0.0.1", "--resources-path", o.Components, "--log-level", o.LogLevel,
	}
	s.cmd = exec.Command(o.Bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = o.Logs, o.Logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := s.cmd.Start(); err != nil {
		return fmt.Errorf("starting daprd (%s): %w", o.Bin, err)
	}
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	return nil
}

// Done is closed when daprd exits.
func (s *Sidecar) Done() <-chan struct{} { return s.done }

// Err is daprd's exit error, after Done.
func (s *Sidecar) Err() error { return s.err }

// Stop sends SIGTERM and waits up to grace before SIGKILL.
func (s *Sidecar) Stop(grace time.Duration) {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(grace):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// listenFree asks the kernel for a free loopback port (a test can replay
// the kernel handing out a port that is already taken by number).
var listenFree = func() (net.Listener, error) { return net.Listen("tcp", "127.0.0.1:0") }

// freePorts picks n ports the kernel has free on loopback, none of them in
// avoid (ports already handed to daprd or the function: once released they
// can come back from the kernel). daprd binds them by number after this
// returns; that small window is the cost of a sidecar that takes no
// listener.
func freePorts(n int, avoid ...int) ([]int, error) {
	var lns []net.Listener
	defer func() {
		for _, l := range lns {
			l.Close()
		}
	}()
	var ports []int
	for len(ports) < n {
		l, err := listenFree()
		if err != nil {
			return nil, fmt.Errorf("picking a free port for daprd: %w", err)
		}
		lns = append(lns, l) // held open until return: no port twice
		if p := l.Addr().(*net.TCPAddr).Port; !slices.Contains(avoid, p) {
			ports = append(ports, p)
		}
	}
	return ports, nil
}
