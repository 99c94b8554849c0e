//go:build unix

package testnet

import (
	"errors"
	"net"
	"strconv"
	"syscall"
	"testing"
)

func TestRefusingPort(t *testing.T) {
	addr := "127.0.0.1:" + strconv.Itoa(RefusingPort(t))
	if c, err := net.Dial("tcp", addr); !errors.Is(err, syscall.ECONNREFUSED) {
		if c != nil {
			c.Close()
		}
		t.Fatalf("dial %s: %v, want connection refused", addr, err)
	}
	if ln, err := net.Listen("tcp", addr); err == nil {
		ln.Close()
		t.Fatalf("%s could be taken while held", addr)
	}
}
