// Command app is a plain Go web program: no FUNC_NAME, the Go builder builds
// the module's main package and runs it.
package main

import (
	"fmt"
	"log"
	"net/http"
	"os"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "plain Go app") })
	log.Fatal(http.ListenAndServe(":"+port, nil))
}
