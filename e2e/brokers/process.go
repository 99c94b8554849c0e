package brokers

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Process is a broker running as a child process.
type Process struct {
	Addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	log  string
	done chan struct{} // closed when the process has exited
}

// Stop kills the broker and waits for it; calling it again is harmless.
func (p *Process) Stop() {
	if p.cmd == nil || p.cmd.Process == nil {
		return
	}
	p.cmd.Process.Kill()
	<-p.done
}

// Log is what the broker printed so far.
func (p *Process) Log() string {
	b, _ := os.ReadFile(p.log)
	return string(b)
}

// broker says how to start one kind of broker on a given port.
type broker struct {
	bin, pkg string
	// args writes any config the port needs (into dir) and returns the
	// command line.
	args func(dir string, port int) ([]string, error)
	// ready is the log line the broker prints once it listens.
	ready string
}

// attempts bounds how often a broker is started again when another process
// took its port between the pick and the broker's bind.
const attempts = 5

// errPortTaken is a broker exiting because its port was in use.
var errPortTaken = errors.New("address already in use")

// startOnFreePort starts b on a port the kernel handed out a moment before.
// mosquitto and redis-server bind the port named in their configuration
// themselves (they cannot take over a listener), so another process may take
// it in between; when the broker's log says so, it is started again on a new
// port, at most attempts times.
func startOnFreePort(dir string, b broker, pick func() (int, error)) (*Process, error) {
	var last error
	for i := 0; i < attempts; i++ {
		port, err := pick()
		if err != nil {
			return nil, fmt.Errorf("%s: picking a loopback port: %w", b.bin, err)
		}
		p, err := startOn(dir, b, port)
		if !errors.Is(err, errPortTaken) {
			return p, err
		}
		last = err
	}
	return nil, fmt.Errorf("%s: %d ports in a row were taken before it could bind them: %w", b.bin, attempts, last)
}

// startOn starts b on port and waits until its log says it listens.
func startOn(dir string, b broker, port int) (*Process, error) {
	bin, err := exec.LookPath(b.bin)
	if err != nil {
		return nil, fmt.Errorf("%s not found on PATH: apt-get install -y %s (.ci/run installs it)", b.bin, b.pkg)
	}
	args, err := b.args(dir, port)
	if err != nil {
		return nil, err
	}
	p := &Process{Addr: "127.0.0.1:" + strconv.Itoa(port), log: filepath.Join(dir, b.bin+".log"), done: make(chan struct{})}
	f, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	defer f.Close() // the child keeps its own descriptor
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	go func() { p.cmd.Wait(); close(p.done) }()
	return p, p.waitReady(b.ready, 15*time.Second)
}

// waitReady polls the broker's log for its ready line, then checks that the
// port answers. Readiness comes from the log, not from a connect: another
// process holding the port would answer a connect too.
func (p *Process) waitReady(ready string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for !strings.Contains(p.Log(), ready) {
		select {
		case <-p.done:
			log := p.Log()
			if strings.Contains(log, "Address already in use") {
				return fmt.Errorf("%s on %s: %w", p.cmd.Path, p.Addr, errPortTaken)
			}
			return fmt.Errorf("%s exited (%v) before it listened on %s:\n%s", p.cmd.Path, p.cmd.ProcessState, p.Addr, log)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.Stop()
			return fmt.Errorf("%s did not log %q within %s:\n%s", p.cmd.Path, ready, timeout, p.Log())
		}
	}
	c, err := net.DialTimeout("tcp", p.Addr, time.Second)
	if err != nil {
		p.Stop()
		return fmt.Errorf("%s logged %q but %s does not answer: %w", p.cmd.Path, ready, p.Addr, err)
	}
	c.Close()
	return nil
}
