package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
)

// envFlag collects repeated --env K=V.
type envFlag struct{ kv []string }

func (e *envFlag) String() string { return strings.Join(e.kv, ",") }

func (e *envFlag) Type() string { return "KEY=VALUE" }

func (e *envFlag) Set(v string) error {
	k, _, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		// --env K passes K through from kiln's own environment.
		val, found := os.LookupEnv(v)
		if !found {
			return fmt.Errorf("--env %q: want KEY=VALUE (or a KEY set in your environment)", v)
		}
		v = v + "=" + val
	}
	e.kv = append(e.kv, v)
	return nil
}

func (e *envFlag) Map() map[string]string {
	m := map[string]string{}
	for _, kv := range e.kv {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

// portsFlag collects repeated port numbers (--allow-host-port).
type portsFlag struct{ ports []int }

func (p *portsFlag) String() string {
	var s []string
	for _, n := range p.ports {
		s = append(s, strconv.Itoa(n))
	}
	return strings.Join(s, ",")
}

func (p *portsFlag) Type() string { return "PORT" }

func (p *portsFlag) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: want a port number 1-65535", v)
	}
	p.ports = append(p.ports, n)
	return nil
}

// openRegistry starts (or attaches to) the embedded registry.
func openRegistry(h home.Dir, addr string) (*registry.Registry, error) {
	if addr == "" {
		addr = os.Getenv("KILN_REGISTRY_ADDR")
	}
	return registry.Open(h.Registry(), addr)
}

// registryAddr returns flagAddr, or serves the embedded registry for the
// duration of the command; call the returned func when done.
func registryAddr(h home.Dir, flagAddr string) (string, func(), error) {
	if flagAddr != "" {
		return flagAddr, func() {}, nil
	}
	reg, err := openRegistry(h, "")
	if err != nil {
		return "", nil, err
	}
	return reg.Addr, func() { reg.Close() }, nil
}
