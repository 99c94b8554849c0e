package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"

	"kiln.dev/kiln/platform/home"
	"kiln.dev/kiln/platform/registry"
)

// envFlag collects repeated --env K=V.
type envFlag struct{ kv []string }

func (e *envFlag) String() string { return strings.Join(e.kv, ",") }

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

func (p *portsFlag) Set(v string) error {
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > 65535 {
		return fmt.Errorf("%q: want a port number 1-65535", v)
	}
	p.ports = append(p.ports, n)
	return nil
}

// refuse rejects addr's port (host:port) with why.
func (p *portsFlag) refuse(addr, why string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil
	}
	for _, n := range p.ports {
		if strconv.Itoa(n) == port {
			return usageError{fmt.Sprintf("--allow-host-port %d: that is %s", n, why)}
		}
	}
	return nil
}

// parse parses flags interspersed with positional arguments.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, usageError{err.Error()}
		}
		if fs.NArg() == 0 {
			return pos, nil
		}
		// After "--" every argument is positional (kiln run IMAGE -- -x
		// hands -x to the function), never parsed again as a flag.
		if used := len(args) - fs.NArg(); used > 0 && args[used-1] == "--" {
			return append(pos, fs.Args()...), nil
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

func newFlagSet(name, usage string) *flag.FlagSet {
	fs := flag.NewFlagSet("kiln "+name, flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: kiln %s\n\nflags:\n", usage)
		fs.PrintDefaults()
	}
	return fs
}

// openRegistry starts (or attaches to) the embedded registry.
func openRegistry(h home.Dir, addr string) (*registry.Registry, error) {
	if addr == "" {
		addr = os.Getenv("KILN_REGISTRY_ADDR")
	}
	return registry.Open(h.Registry(), addr)
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
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
