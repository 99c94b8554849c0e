// Package function lives in a subdirectory of its module (build with
// --env FUNC_SRC=function) and uses a module replaced by a relative path.
package function

import (
	"fmt"
	"net/http"

	"example.com/greeting"
)

// Greet answers greeting.For(?name=).
func Greet(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, greeting.For(r.URL.Query().Get("name")))
}
