// Command kiln serves the hello function with Kiln's Go framework, the way
// the buildpack's generated main does.
package main

import (
	"fmt"
	"net/http"

	"kiln.dev/functions-framework-go/funcframework"
)

// HelloWorld answers "Hello, World!", or "Hello, <name>!" with ?name=.
func HelloWorld(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}

func main() { funcframework.Main(funcframework.HTTPHandler(HelloWorld)) }
