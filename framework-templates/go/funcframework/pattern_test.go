//go:build go1.23

package funcframework

import "net/http"

// pattern is r.Pattern (Go 1.23+).
func pattern(r *http.Request) string { return r.Pattern }
