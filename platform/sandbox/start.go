package sandbox

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

const (
	initArg = "__kiln-sandbox-init"
	specEnv = "KILN_SANDBOX_SPEC"
)

// Process is a running sandbox.
type Process struct {
	cmd  *exec.Cmd
	done chan struct{}
	code int
	err  error
}

// Start launches the sandbox init with spec.
func Start(spec Spec, stdin io.Reader, stdout, stderr io.Writer) (*Process, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("/proc/self/exe", initArg)
	cmd.Env = append(os.Environ(), specEnv+"="+string(b))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = stdin, stdout, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID,
		// If kiln dies, init dies, and with it the whole pid namespace.
		Pdeathsig: syscall.SIGKILL,
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &Process{cmd: cmd, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		p.code = cmd.ProcessState.ExitCode()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			p.err = err
		}
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			p.code = 128 + int(ws.Signal())
		}
		close(p.done)
	}()
	return p, nil
}

// Run starts the sandbox and waits for it.
func Run(spec Spec, stdin io.Reader, stdout, stderr io.Writer) (int, error) {
	p, err := Start(spec, stdin, stdout, stderr)
	if err != nil {
		return -1, err
	}
	return p.Wait()
}

// Pid is the sandbox init's pid on the host.
func (p *Process) Pid() int { return p.cmd.Process.Pid }

// Done is closed when the sandbox has exited.
func (p *Process) Done() <-chan struct{} { return p.done }

// Wait returns the program's exit code (128+N when killed by signal N).
func (p *Process) Wait() (int, error) {
	<-p.done
	return p.code, p.err
}

// Stop sends SIGTERM (init forwards it to the program) and SIGKILL after
// grace; SIGKILL to init takes the whole pid namespace down.
func (p *Process) Stop(grace time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(grace):
		p.cmd.Process.Kill()
		<-p.done
	}
}
