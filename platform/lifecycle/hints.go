package lifecycle

import (
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// hostHint is a build env var naming a host loopback address the build
// cannot reach.
type hostHint struct {
	Env, Addr, Port string
}

// unreachableHosts finds build env values (PIP_INDEX_URL, GOPROXY,
// BP_MAVEN_MIRROR_URL...) that point at the host's loopback on a port not
// in allowed: builds run in their own network namespace, so such a mirror
// needs --allow-host-port. Ports kiln cannot tell are skipped.
func unreachableHosts(env map[string]string, allowed []int) []hostHint {
	ok := map[string]bool{}
	for _, p := range allowed {
		ok[strconv.Itoa(p)] = true
	}
	var hints []hostHint
	for k, v := range env {
		for _, field := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '|' }) {
			u, err := url.Parse(field)
			if err != nil || u.Host == "" {
				continue
			}
			host, port := u.Hostname(), u.Port()
			if port == "" {
				port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
			}
			if port == "" || ok[port] || !isLoopback(host) {
				continue
			}
			hints = append(hints, hostHint{Env: k, Addr: net.JoinHostPort(host, port), Port: port})
		}
	}
	sort.Slice(hints, func(i, j int) bool { return hints[i].Env+hints[i].Addr < hints[j].Env+hints[j].Addr })
	return hints
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
