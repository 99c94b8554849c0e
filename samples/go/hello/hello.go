// Package hello is Kiln's hello-world HTTP function.
//
//	kiln build samples/go/hello --target HelloWorld && kiln run hello
package hello

import (
	"fmt"
	"net/http"
)

// HelloWorld answers "Hello, World!", or "Hello, <name>!" with ?name=.
func HelloWorld(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}
