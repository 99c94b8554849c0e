package main

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
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

// pushKeys holds the embedded registry's write token for addr and the
// Docker config's credentials for any other registry.
func pushKeys(h home.Dir, addr string) authn.Keychain {
	return registry.Keychain(h.Registry(), addr, authn.DefaultKeychain)
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
