// Package dependency uses a third-party module fetched through GOPROXY.
package dependency

import (
	"fmt"
	"net/http"

	"github.com/google/uuid"
)

// NameID answers the name-based (SHA-1, v5) UUID of ?name= in the URL namespace.
func NameID(w http.ResponseWriter, r *http.Request) {
	fmt.Fprintln(w, uuid.NewSHA1(uuid.NameSpaceURL, []byte(r.URL.Query().Get("name"))))
}
