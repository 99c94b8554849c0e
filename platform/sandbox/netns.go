package sandbox

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// netNS is a network namespace kiln made for one sandbox: only a loopback
// interface until something (slirp4netns) adds more. One goroutine stays
// locked to an OS thread inside it and creates the sockets kiln needs there
// (a socket lives in the namespace it was created in, whichever thread then
// uses it): the dialer of published ports and the listeners of exposed host
// ports. The runtime joins it through a bind mount of its namespace file.
type netNS struct {
	path  string
	reqs  chan func()
	quit  chan struct{}
	close sync.Once
	done  chan struct{}
}

// newNetNS creates the namespace and bind-mounts it at path (in the helper's
// private mount namespace, so it disappears with the helper).
func newNetNS(path string) (*netNS, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o444)
	if err != nil {
		return nil, fmt.Errorf("sandbox: network namespace file: %w", err)
	}
	f.Close()
	n := &netNS{path: path, reqs: make(chan func()), quit: make(chan struct{}), done: make(chan struct{})}
	ready := make(chan error, 1)
	go n.serve(ready)
	if err := <-ready; err != nil {
		os.Remove(path)
		return nil, err
	}
	return n, nil
}

func (n *netNS) serve(ready chan<- error) {
	defer close(n.done)
	// Never unlocked: the thread is in another namespace, so the Go runtime
	// ends it when this goroutine returns instead of reusing it.
	runtime.LockOSThread()
	if err := unix.Unshare(unix.CLONE_NEWNET); err != nil {
		ready <- fmt.Errorf("sandbox: creating a network namespace: %w", err)
		return
	}
	if err := loopbackUp(); err != nil {
		ready <- err
		return
	}
	self := fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid())
	if err := unix.Mount(self, n.path, "", unix.MS_BIND, ""); err != nil {
		ready <- fmt.Errorf("sandbox: keeping the network namespace at %s: %w", n.path, err)
		return
	}
	ready <- nil
	for {
		select {
		case f := <-n.reqs:
			f()
		case <-n.quit:
			return
		}
	}
}

// loopbackUp brings lo up in the current thread's network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("sandbox: bringing lo up: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("sandbox: bringing lo up: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("sandbox: bringing lo up: %w", err)
	}
	return nil
}

// do runs f on the thread inside the namespace.
func (n *netNS) do(f func()) error {
	done := make(chan struct{})
	select {
	case n.reqs <- func() { f(); close(done) }:
		<-done
		return nil
	case <-n.done:
		return fmt.Errorf("sandbox: the network namespace is closed")
	}
}

// Dial connects to addr (e.g. 127.0.0.1:8080) inside the namespace.
func (n *netNS) Dial(addr string, timeout time.Duration) (net.Conn, error) {
	var c net.Conn
	var err error
	if e := n.do(func() { c, err = net.DialTimeout("tcp", addr, timeout) }); e != nil {
		return nil, e
	}
	return c, err
}

// Listen listens on addr inside the namespace.
func (n *netNS) Listen(addr string) (net.Listener, error) {
	var l net.Listener
	var err error
	if e := n.do(func() { l, err = net.Listen("tcp", addr) }); e != nil {
		return nil, e
	}
	return l, err
}

// Close ends the namespace thread and drops the bind mount; the namespace
// itself goes when the last process in it (the container) has exited.
func (n *netNS) Close() {
	n.close.Do(func() { close(n.quit) })
	<-n.done
	unix.Unmount(n.path, unix.MNT_DETACH)
	os.Remove(n.path)
}
