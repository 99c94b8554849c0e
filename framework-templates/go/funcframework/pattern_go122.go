//go:build !go1.23

package funcframework

import "net/http"

// rootPattern is "" before Go 1.23, whose Request has no Pattern.
func rootPattern() string { return "" }

// setPattern does nothing before Go 1.23.
func setPattern(*http.Request, string) {}
