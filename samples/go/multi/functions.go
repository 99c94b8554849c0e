// Package multi exports several functions; FUNC_NAME (kiln build --target)
// picks the one an image serves.
package multi

import (
	"fmt"
	"io"
	"net/http"
)

// Hello greets.
func Hello(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from multi") }

// Goodbye says goodbye.
func Goodbye(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "goodbye from multi") }

// Echo answers with the request body.
func Echo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", r.Header.Get("Content-Type"))
	io.Copy(w, r.Body)
}
