//go:build !go1.22

package routes

import "net/http"

// setPathValues does nothing before Go 1.22, which has no path values.
func setPathValues(*http.Request, map[string]string) {}

// pathValue is "" before Go 1.22.
func pathValue(*http.Request, string) string { return "" }
