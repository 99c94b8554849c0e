package hostports

import (
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Named is a loopback address found in the value of Env.
type Named struct {
	Env  string
	Addr string // host:port as written (default port filled in)
	Port int
}

// Find returns the loopback addresses named in env values: URLs with a
// scheme (http://127.0.0.1:4000/simple, https://localhost/, grpc://[::1]:4317)
// and bare host:port, also inside comma-, space- or |-separated lists
// (GOPROXY); and Dapr's DAPR_HTTP_PORT and DAPR_GRPC_PORT, bare ports on
// DAPR_HOST, which the frameworks default to 127.0.0.1. Sorted by variable,
// then address.
func Find(env map[string]string) []Named {
	found := daprPorts(env)
	for k, v := range env {
		for _, tok := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(", |;\t\n\"'", r) }) {
			host, port, ok := loopback(tok)
			if !ok {
				continue
			}
			found = append(found, Named{Env: k, Addr: net.JoinHostPort(host, strconv.Itoa(port)), Port: port})
		}
	}
	sort.Slice(found, func(i, j int) bool {
		if found[i].Env != found[j].Env {
			return found[i].Env < found[j].Env
		}
		return found[i].Addr < found[j].Addr
	})
	return found
}

// daprPorts are the ports DAPR_HTTP_PORT and DAPR_GRPC_PORT name when
// DAPR_HOST is unset or loopback (a daprd beside the function on the host).
func daprPorts(env map[string]string) []Named {
	host := env["DAPR_HOST"]
	if host == "" {
		host = "127.0.0.1"
	}
	if !isLoopback(host) {
		return nil
	}
	var found []Named
	for _, k := range []string{"DAPR_GRPC_PORT", "DAPR_HTTP_PORT"} {
		n, err := strconv.Atoi(strings.TrimSpace(env[k]))
		if err != nil || n < 1 || n > 65535 {
			continue
		}
		found = append(found, Named{Env: k, Addr: net.JoinHostPort(host, strconv.Itoa(n)), Port: n})
	}
	return found
}

var defaultPorts = map[string]int{"http": 80, "https": 443}

func loopback(tok string) (string, int, bool) {
	var host, port string
	if strings.Contains(tok, "://") {
		u, err := url.Parse(tok)
		if err != nil || u.Host == "" {
			return "", 0, false
		}
		host, port = u.Hostname(), u.Port()
		if port == "" {
			if p, ok := defaultPorts[u.Scheme]; ok {
				port = strconv.Itoa(p)
			}
		}
	} else {
		var err error
		if host, port, err = net.SplitHostPort(tok); err != nil {
			return "", 0, false
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || !isLoopback(host) {
		return "", 0, false
	}
	return host, n, true
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Ports returns the distinct ports of found, in order.
func Ports(found []Named) []int {
	seen := map[int]bool{}
	var ps []int
	for _, f := range found {
		if !seen[f.Port] {
			seen[f.Port] = true
			ps = append(ps, f.Port)
		}
	}
	sort.Ints(ps)
	return ps
}
