package sandbox

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"
)

// JobFunc is work kiln does inside the helper (in the user namespace): it
// decodes its request from in, starts containers, sends events to the kiln
// process that entered the helper, and returns the exit code the helper
// exits with. ctx is cancelled when that process asks the helper to stop
// (SIGTERM/SIGINT).
type JobFunc func(ctx context.Context, in *Inside) (int, error)

var (
	jobsMu sync.Mutex
	jobs   = map[string]JobFunc{}
)

// Register makes fn runnable as job name in the helper. Call it from an
// init function of the package that owns the job, so the kiln binary (and
// its tests) have every job the moment MaybeInit runs.
func Register(name string, fn JobFunc) {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	if _, dup := jobs[name]; dup {
		panic("sandbox: job " + name + " registered twice")
	}
	jobs[name] = fn
}

func lookupJob(name string) (JobFunc, error) {
	jobsMu.Lock()
	defer jobsMu.Unlock()
	fn, ok := jobs[name]
	if !ok {
		var names []string
		for n := range jobs {
			names = append(names, n)
		}
		sort.Strings(names)
		return nil, fmt.Errorf("sandbox: no job %q in this binary (have %v)", name, names)
	}
	return fn, nil
}

// Inside is a job's side of the helper.
type Inside struct {
	// IDs is the helper's mapping (container id → host id).
	IDs     IDMap
	request []byte
	files   []*os.File
	mu      sync.Mutex
	events  *json.Encoder
}

// Decode reads the job's request into v.
func (in *Inside) Decode(v any) error {
	if err := json.Unmarshal(in.request, v); err != nil {
		return fmt.Errorf("sandbox: decoding the job request: %w", err)
	}
	return nil
}

// File returns the i-th file the entering process passed (Options.Files).
func (in *Inside) File(i int) *os.File {
	if i < 0 || i >= len(in.files) {
		return nil
	}
	return in.files[i]
}

// Send delivers an event to the entering process's OnEvent.
func (in *Inside) Send(kind string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.events.Encode(Event{Kind: kind, Data: data})
}

// Event is a message from a job to the process that entered the helper.
type Event struct {
	Kind string          `json:"kind"`
	Data json.RawMessage `json:"data,omitempty"`
}

// Decode reads the event's data into v.
func (e Event) Decode(v any) error { return json.Unmarshal(e.Data, v) }
