// Command bare serves the hello function with net/http alone: the baseline.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

// HelloWorld answers "Hello, World!", or "Hello, <name>!" with ?name=.
func HelloWorld(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("name")
	if name == "" {
		name = "World"
	}
	fmt.Fprintf(w, "Hello, %s!\n", name)
}

func main() {
	log.Fatal(http.ListenAndServe("127.0.0.1:"+os.Getenv("PORT"), http.HandlerFunc(HelloWorld)))
}
