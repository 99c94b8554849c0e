// Package conformancefn holds the functions the conformance harness
// (e2e/conformance) drives, following the functions-framework conformance
// protocol: each writes what it received to function_output.json in its
// working directory, where the harness reads it back.
package conformancefn

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
)

// OutputFile is where the functions record what they received.
const OutputFile = "function_output.json"

// HTTP writes the request body to OutputFile. Two queries serve the
// harness's other checks instead:
//   - ?barrier=ID&parties=N waits (at most BarrierWait) until N calls with
//     this ID are inside the function at once, then answers how many arrived;
//   - ?sleep=D (a Go duration) sleeps D; with &id=X it first writes
//     {"started":"X"} to OutputFile, so the harness knows the call is inside.
func HTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if id := q.Get("barrier"); id != "" {
		n, err := strconv.Atoi(q.Get("parties"))
		if err != nil || n < 1 || n > 1000 {
			http.Error(w, "parties: want 1-1000", http.StatusBadRequest)
			return
		}
		io.WriteString(w, strconv.Itoa(barriers.wait(id, n, BarrierWait)))
		return
	}
	if d, err := time.ParseDuration(q.Get("sleep")); err == nil {
		if id := q.Get("id"); id != "" {
			b, _ := json.Marshal(map[string]string{"started": id})
			os.WriteFile(OutputFile, b, 0o644)
		}
		time.Sleep(d)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := os.WriteFile(OutputFile, body, 0o644); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
	}
}

// CloudEvent writes the event, in structured JSON form, to OutputFile.
func CloudEvent(ctx context.Context, e cloudevents.Event) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return os.WriteFile(OutputFile, b, 0o644)
}
