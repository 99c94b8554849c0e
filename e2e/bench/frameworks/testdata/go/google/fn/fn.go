// Package fn is the hello function written as Google's functions-framework-go
// documents it: registered declaratively in init.
package fn

import (
	"fmt"
	"net/http"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() { functions.HTTP("HelloWorld", HelloWorld) }

// HelloWorld answers "Hello, World!", or "Hello, <name>!" with ?name=.
func HelloWorld(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}
