//go:build go1.23

package funcframework

import (
	"net/http"
	"net/url"
)

// rootPattern is the r.Pattern a ServeMux gives a request it routes to its
// "/" handler: "/", or "" under GODEBUG=httpmuxgo121=1 (the default when the
// main module declares a go version before 1.22). root asks a ServeMux once.
func rootPattern() string {
	var got string
	mux := http.NewServeMux()
	mux.HandleFunc("/", func(_ http.ResponseWriter, r *http.Request) { got = r.Pattern })
	mux.ServeHTTP(nil, &http.Request{Method: http.MethodGet, Host: "x", URL: &url.URL{Path: "/"}, RequestURI: "/", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1})
	return got
}

// setPattern sets r.Pattern (Go 1.23+).
func setPattern(r *http.Request, p string) { r.Pattern = p }
