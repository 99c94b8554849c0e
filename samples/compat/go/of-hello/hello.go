// Package hello is OpenFunction's hello-world-go sample, written the way
// OpenFunction documents it: an HTTP function registered declaratively at a
// path with a variable, read with ofctx.VarsFromCtx.
package hello

import (
	"fmt"
	"net/http"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/functions"
)

func init() {
	functions.HTTP("HelloWorld", HelloWorld,
		functions.WithFunctionPath("/{greeting}"))
}

// HelloWorld answers GET /World with "Hello, World!".
func HelloWorld(w http.ResponseWriter, r *http.Request) {
	vars := ofctx.VarsFromCtx(r.Context())
	fmt.Fprintf(w, "Hello, %s!\n", vars["greeting"])
}
