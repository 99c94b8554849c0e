//go:build go1.22

package routes

import "net/http"

// setPathValues makes r.PathValue(name) return each variable (Go 1.22+).
func setPathValues(r *http.Request, vars map[string]string) {
	for k, v := range vars {
		r.SetPathValue(k, v)
	}
}

// pathValue is r.PathValue(name) (Go 1.22+).
func pathValue(r *http.Request, name string) string { return r.PathValue(name) }
