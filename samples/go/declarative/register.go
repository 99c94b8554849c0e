// Package declarative registers its functions by name; FUNC_NAME picks one.
// It pins Kiln's framework in go.mod, which the Go buildpack serves offline.
package declarative

import (
	"fmt"
	"net/http"

	"kiln.dev/functions-framework-go/functions"
)

func init() {
	functions.HTTP("Ping", ping)
	functions.HTTP("Version", version)
}

func ping(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "pong") }

func version(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "declarative v1") }
