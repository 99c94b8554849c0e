package sandbox

import (
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"time"
)

// forwarder copies TCP connections between the host's network and a
// sandbox's: publish (host listener → a port inside) and expose (a listener
// inside on 127.0.0.1:PORT → the same port on the host's loopback). It runs
// in the helper, which is in the host network namespace and owns the
// sandbox's, so nothing else on the host or in the sandbox is reachable.
type forwarder struct {
	wg        sync.WaitGroup
	mu        sync.Mutex
	listeners []net.Listener
	conns     map[net.Conn]struct{}
	closed    bool
}

const dialTimeout = 5 * time.Second

// publish accepts on ln (host side) and connects each connection to
// 127.0.0.1:port inside ns.
func (f *forwarder) publish(ln net.Listener, ns *netNS, port int) {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	f.serve(ln, func() (net.Conn, error) { return ns.Dial(addr, dialTimeout) })
}

// expose listens on 127.0.0.1:port inside ns and connects each connection
// to 127.0.0.1:port on the host.
func (f *forwarder) expose(ns *netNS, port int) error {
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	ln, err := ns.Listen(addr)
	if err != nil {
		return err
	}
	f.serve(ln, func() (net.Conn, error) { return net.DialTimeout("tcp", addr, dialTimeout) })
	return nil
}

func (f *forwarder) serve(ln net.Listener, dial func() (net.Conn, error)) {
	f.mu.Lock()
	if f.closed {
		f.mu.Unlock()
		ln.Close()
		return
	}
	f.listeners = append(f.listeners, ln)
	f.mu.Unlock()
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() {
					continue
				}
				return
			}
			go f.pipe(c, dial)
		}
	}()
}

// pipe connects c to a new connection from dial and copies both ways; when
// dial fails (nothing listens yet), c is closed, like a refused connection.
func (f *forwarder) pipe(c net.Conn, dial func() (net.Conn, error)) {
	d, err := dial()
	if err != nil {
		c.Close()
		return
	}
	if !f.track(c, d) {
		c.Close()
		d.Close()
		return
	}
	done := make(chan struct{}, 2)
	go func() { copyHalf(d, c); done <- struct{}{} }()
	copyHalf(c, d)
	<-done
	c.Close()
	d.Close()
	f.untrack(c, d)
}

// copyHalf copies src to dst (spliced in the kernel for TCP) and then
// half-closes dst, so request/response protocols see the end of input.
func copyHalf(dst, src net.Conn) {
	io.Copy(dst, src)
	if tc, ok := dst.(interface{ CloseWrite() error }); ok {
		tc.CloseWrite()
	} else {
		dst.Close()
	}
}

func (f *forwarder) track(cs ...net.Conn) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return false
	}
	if f.conns == nil {
		f.conns = map[net.Conn]struct{}{}
	}
	for _, c := range cs {
		f.conns[c] = struct{}{}
	}
	return true
}

func (f *forwarder) untrack(cs ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range cs {
		delete(f.conns, c)
	}
}

// close stops listening and drops every open connection.
func (f *forwarder) close() {
	f.mu.Lock()
	f.closed = true
	for _, l := range f.listeners {
		l.Close()
	}
	for c := range f.conns {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}
