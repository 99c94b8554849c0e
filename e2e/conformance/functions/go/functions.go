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
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
)

// OutputFile is where the functions record what they received.
const OutputFile = "function_output.json"

// HTTP writes the request body to OutputFile, after sleeping ?sleep= (a Go
// duration, for the concurrency check).
func HTTP(w http.ResponseWriter, r *http.Request) {
	if d, err := time.ParseDuration(r.URL.Query().Get("sleep")); err == nil {
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
