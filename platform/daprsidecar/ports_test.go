package daprsidecar

import (
	"net"
	"strconv"
	"testing"
)

// The kernel may hand back a port the function (or daprd) was given and
// has not bound yet; freePorts must skip it, or daprd refuses to start
// ("the 'dapr-grpc-port' argument value … conflicts with 'app-port'").
func TestFreePortsSkipsPortsAlreadyHandedOut(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	taken := l.Addr().(*net.TCPAddr).Port
	l.Close() // the app port: handed to the function, released, not yet bound
	first := true
	orig := listenFree
	listenFree = func() (net.Listener, error) {
		if first { // the kernel gives the same number again
			first = false
			return net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(taken))
		}
		return orig()
	}
	t.Cleanup(func() { listenFree = orig })
	ports, err := freePorts(3, taken)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, p := range ports {
		if p == taken || seen[p] {
			t.Fatalf("freePorts(3, %d) = %v: a port twice or the one handed out", taken, ports)
		}
		seen[p] = true
	}
	if first {
		t.Fatal("the replayed kernel answer was never asked for")
	}
}

func TestReserveKeepsTheAppPort(t *testing.T) {
	s, err := Reserve(0)
	if err != nil {
		t.Fatal(err)
	}
	if ps := map[int]bool{s.HTTPPort: true, s.GRPCPort: true, s.AppPort: true}; len(ps) != 3 {
		t.Fatalf("ports overlap: %+v", s)
	}
}
