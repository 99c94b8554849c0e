package deploy

import (
	"net"
	"net/url"
	"strings"
)

// IngressEnv is the ingress address `kiln cluster env` exports
// (http://127.0.0.1:PORT): where the node's Knative Services answer.
const IngressEnv = "KILN_INGRESS"

// ReachableURL is the URL a user can open for a Function's status URL:
// on Kiln's node, Knative's URLs (http://NAME.NS.localhost) lack the port
// of the ingress, so with an ingress given, a port-less URL under
// localhost gets the ingress's port. Any other URL comes back as it is.
func ReachableURL(status, ingress string) string {
	if ingress == "" {
		return status
	}
	u, err := url.Parse(status)
	if err != nil || u.Port() != "" || (u.Hostname() != "localhost" && !strings.HasSuffix(u.Hostname(), ".localhost")) {
		return status
	}
	in, err := url.Parse(ingress)
	if err != nil || in.Port() == "" || in.Scheme != u.Scheme {
		return status
	}
	u.Host = net.JoinHostPort(u.Hostname(), in.Port())
	return u.String()
}
