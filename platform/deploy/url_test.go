package deploy

import "testing"

func TestReachableURL(t *testing.T) {
	for _, c := range []struct{ status, ingress, want string }{
		{"http://hello.default.localhost", "http://127.0.0.1:4321", "http://hello.default.localhost:4321"},
		{"http://hello.default.localhost/", "http://127.0.0.1:4321", "http://hello.default.localhost:4321/"},
		{"http://localhost", "http://127.0.0.1:4321", "http://localhost:4321"},
		// no ingress: as it is
		{"http://hello.default.localhost", "", "http://hello.default.localhost"},
		// a real domain is served elsewhere, not by the node's ingress
		{"http://hello.default.fn.example.com", "http://127.0.0.1:4321", "http://hello.default.fn.example.com"},
		{"http://hello.default.notlocalhost", "http://127.0.0.1:4321", "http://hello.default.notlocalhost"},
		// a port already there wins
		{"http://hello.default.localhost:80", "http://127.0.0.1:4321", "http://hello.default.localhost:80"},
		// scheme mismatch, portless or broken ingress: as it is
		{"https://hello.default.localhost", "http://127.0.0.1:4321", "https://hello.default.localhost"},
		{"http://hello.default.localhost", "http://127.0.0.1", "http://hello.default.localhost"},
		{"http://hello.default.localhost", "://bad", "http://hello.default.localhost"},
		{"", "http://127.0.0.1:4321", ""},
	} {
		if got := ReachableURL(c.status, c.ingress); got != c.want {
			t.Errorf("ReachableURL(%q, %q) = %q, want %q", c.status, c.ingress, got, c.want)
		}
	}
}
