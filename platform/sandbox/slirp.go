package sandbox

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// The address slirp4netns gives the sandbox's DNS forwarder; resolv.conf of
// a sandbox with egress names it.
const slirpDNS = "10.0.2.3"

// slirp is a running slirp4netns: a user-mode TCP/IP stack that gives the
// sandbox's network namespace a tap0 interface with a default route, NAT to
// the internet through the helper's sockets, and DNS at 10.0.2.3. Host
// loopback (10.0.2.2 → 127.0.0.1) is disabled: the embedded registry and
// any other service listening on the host's 127.0.0.1 stay out of reach.
type slirp struct {
	cmd  *exec.Cmd
	exit *os.File // closing it tells slirp4netns to exit
	done chan struct{}
}

func startSlirp(netnsPath string, stderr *bytes.Buffer) (*slirp, error) {
	bin, err := exec.LookPath("slirp4netns")
	if err != nil {
		return nil, fmt.Errorf("sandbox: slirp4netns not found: builds reach the network through it (apt-get install slirp4netns)")
	}
	readyR, readyW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer readyR.Close()
	exitR, exitW, err := os.Pipe()
	if err != nil {
		readyW.Close()
		return nil, err
	}
	cmd := exec.Command(bin, "--configure", "--mtu=65520", "--disable-host-loopback",
		"--enable-sandbox", "--enable-seccomp", "--ready-fd=3", "--exit-fd=4",
		"--netns-type=path", netnsPath, "tap0")
	cmd.ExtraFiles = []*os.File{readyW, exitR}
	cmd.Stdout, cmd.Stderr = stderr, stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	waited, err := startPinned(cmd)
	readyW.Close()
	exitR.Close()
	if err != nil {
		exitW.Close()
		return nil, fmt.Errorf("sandbox: starting slirp4netns: %w", err)
	}
	s := &slirp{cmd: cmd, exit: exitW, done: make(chan struct{})}
	go func() { <-waited; close(s.done) }()
	got := make(chan error, 1)
	go func() {
		b, err := bufio.NewReader(readyR).ReadByte()
		if err == nil && b != '1' {
			err = fmt.Errorf("unexpected readiness byte %q", b)
		}
		got <- err
	}()
	select {
	case err = <-got:
	case <-time.After(10 * time.Second):
		err = fmt.Errorf("not ready after 10s")
	}
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("sandbox: slirp4netns did not come up (%v): %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return s, nil
}

func (s *slirp) stop() {
	s.exit.Close()
	select {
	case <-s.done:
	case <-time.After(2 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
}
