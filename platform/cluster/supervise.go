package cluster

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// component is one process of the node, started detached (its own session,
// output to <state>/logs/<name>.log) so it outlives `kiln cluster up`, and
// known afterwards only by <state>/run/<name>.pid.
type component struct {
	name string
	bin  string
	args []string
	env  []string // added to the environment
}

// start launches c detached and records its pid.
func start(l Layout, c component) error {
	for _, d := range []string{filepath.Dir(l.logFile(c.name)), filepath.Dir(l.pidFile(c.name))} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return fmt.Errorf("cluster: %s: %w", c.name, err)
		}
	}
	logf, err := os.OpenFile(l.logFile(c.name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return fmt.Errorf("cluster: %s log: %w", c.name, err)
	}
	defer logf.Close()
	cmd := exec.Command(c.bin, c.args...)
	cmd.Env = append(os.Environ(), c.env...)
	cmd.Dir = l.Dir
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("cluster: starting %s (%s): %w", c.name, c.bin, err)
	}
	// Reap it if it exits while this process lives (a zombie would look alive).
	go cmd.Wait()
	if err := os.WriteFile(l.pidFile(c.name), []byte(strconv.Itoa(cmd.Process.Pid)+"\n"), 0o644); err != nil {
		return fmt.Errorf("cluster: %s pid file: %w", c.name, err)
	}
	return nil
}

// pidOf is the live process recorded for name whose executable is bin, or
// 0: a stale pid file, a zombie or a pid reused by another program counts
// as not running, so nothing else on the machine is ever signalled.
func pidOf(l Layout, name, bin string) int {
	b, err := os.ReadFile(l.pidFile(name))
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 1 {
		return 0
	}
	if !alive(pid) {
		return 0
	}
	exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil || strings.TrimSuffix(exe, " (deleted)") != bin {
		return 0
	}
	return pid
}

// alive: the pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i > 0 && i+2 < len(b) && b[i+2] != 'Z'
}

// stop sends SIGTERM to name's recorded process, waits up to grace, then
// SIGKILLs it and waits until it is gone; the pid file goes too.
func stop(l Layout, name, bin string, grace time.Duration) error {
	defer os.Remove(l.pidFile(name))
	pid := pidOf(l, name, bin)
	if pid == 0 {
		return nil
	}
	return terminate(pid, grace, name)
}

func terminate(pid int, grace time.Duration, what string) error {
	_ = syscall.Kill(pid, syscall.SIGTERM)
	deadline := time.Now().Add(grace)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if !alive(pid) {
		return nil
	}
	_ = syscall.Kill(pid, syscall.SIGKILL)
	deadline = time.Now().Add(10 * time.Second)
	for alive(pid) && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if alive(pid) {
		return fmt.Errorf("cluster: %s (pid %d) survived SIGKILL", what, pid)
	}
	return nil
}

// poll calls ok until it reports done, fails with its last error at the
// deadline, or stops early if the named component died (its log tail then
// is the error).
func poll(what string, timeout time.Duration, died func() error, ok func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		done, err := ok()
		if done {
			return nil
		}
		last = err
		if died != nil {
			if derr := died(); derr != nil {
				return derr
			}
		}
		if time.Now().After(deadline) {
			if last == nil {
				last = errors.New("not yet")
			}
			return fmt.Errorf("cluster: waiting %v for %s: %w", timeout, what, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// diedFunc reports an error with the log tail once name's process is gone.
func diedFunc(l Layout, c component) func() error {
	return func() error {
		if pidOf(l, c.name, c.bin) != 0 {
			return nil
		}
		return fmt.Errorf("cluster: %s exited; the end of %s:\n%s", c.name, l.logFile(c.name), tail(l.logFile(c.name), 15))
	}
}

// tail is the last n lines of a file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return err.Error()
	}
	return tailString(string(b), n)
}
