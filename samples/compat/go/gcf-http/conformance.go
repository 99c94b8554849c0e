package hello

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

func init() {
	functions.HTTP("Conformance", conformance)
}

// conformance is the functions-framework conformance protocol's HTTP
// function: it writes the request body to function_output.json. With
// ?barrier=ID&parties=N it instead waits (at most 30 s) until N calls with
// that ID are inside the function at once and answers how many arrived.
func conformance(w http.ResponseWriter, r *http.Request) {
	if id := r.URL.Query().Get("barrier"); id != "" {
		n, _ := strconv.Atoi(r.URL.Query().Get("parties"))
		fmt.Fprint(w, arrive(id, n))
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := os.WriteFile("function_output.json", body, 0o644); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

var (
	mu       sync.Mutex
	barriers = map[string]*barrier{}
)

type barrier struct {
	arrived int
	full    chan struct{}
}

// arrive waits at barrier id until parties calls are there (or 30 s pass)
// and returns how many arrived.
func arrive(id string, parties int) int {
	mu.Lock()
	b := barriers[id]
	if b == nil {
		b = &barrier{full: make(chan struct{})}
		barriers[id] = b
	}
	b.arrived++
	if b.arrived == parties {
		close(b.full)
	}
	mu.Unlock()
	select {
	case <-b.full:
	case <-time.After(30 * time.Second):
	}
	mu.Lock()
	defer mu.Unlock()
	return b.arrived
}
