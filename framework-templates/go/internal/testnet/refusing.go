//go:build unix

package testnet

import (
	"syscall"
	"testing"
)

// RefusingPort returns a loopback port that refuses connections for the rest
// of the test: a socket bound to it that never listens holds it, so no other
// process can take it meanwhile (unlike closing a listener and hoping).
func RefusingPort(t testing.TB) int {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return sa.(*syscall.SockaddrInet4).Port
}
