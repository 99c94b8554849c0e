package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"strings"
	"time"

	"kiln.dev/functions-framework-go/cloudevents"
)

// Target is a running function and where its output file appears.
type Target struct {
	URL        string
	OutputFile string
}

func (t Target) output() (map[string]any, error) {
	b, err := os.ReadFile(t.OutputFile)
	if err != nil {
		return nil, fmt.Errorf("the function wrote no output: %w", err)
	}
	// The file is never deleted: with an overlay root, deleting it from the
	// host while mounted loses the function's next write. Each request
	// carries distinct content instead, so stale output cannot pass.
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("output %s is not a JSON object: %w (%q)", t.OutputFile, err, b)
	}
	return m, nil
}

// HTTP checks that a POSTed JSON body arrives unchanged.
func HTTP(t Target) error {
	body := []byte(`{"res":"PASS","nested":{"n":1,"list":[1,"two"]}}`)
	resp, err := http.Post(t.URL, "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("POST %s: status %d, want 200", t.URL, resp.StatusCode)
	}
	got, err := t.output()
	if err != nil {
		return err
	}
	var want map[string]any
	json.Unmarshal(body, &want)
	if !reflect.DeepEqual(got, want) {
		return fmt.Errorf("function received %v, sent %v", got, want)
	}
	return nil
}

// Fixture is the CloudEvent the harness sends.
var Fixture = cloudevents.Event{
	SpecVersion: "1.0", ID: "aaaaaa-1111-bbbb-2222-cccccccccccc", Source: "//storage.googleapis.com/projects/_/buckets/some-bucket",
	Type: "google.cloud.storage.object.v1.finalized", Subject: "objects/folder/Test.cs", Time: "2020-09-29T11:32:00.000Z",
	DataContentType: "application/json", Extensions: map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
	Data: []byte(`{"bucket":"some-bucket","name":"folder/Test.cs","size":"352","contentType":"text/plain"}`),
}

// CloudEvents checks that the fixture arrives intact in binary and structured mode.
func CloudEvents(t Target) error {
	for mode, mk := range map[string]func(string, cloudevents.Event) (*http.Request, error){
		"binary": cloudevents.NewBinaryRequest, "structured": cloudevents.NewStructuredRequest,
	} {
		ev := Fixture
		ev.ID = Fixture.ID + "-" + mode
		wantJSON, _ := json.Marshal(ev)
		var want map[string]any
		json.Unmarshal(wantJSON, &want)
		req, err := mk(t.URL, ev)
		if err != nil {
			return err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return fmt.Errorf("%s mode: %w", mode, err)
		}
		msg, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("%s mode: status %d (%s), want 200", mode, resp.StatusCode, msg)
		}
		got, err := t.output()
		if err != nil {
			return fmt.Errorf("%s mode: %w", mode, err)
		}
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("%s mode: function received\n  %v\nwant\n  %v", mode, got, want)
		}
	}
	return nil
}

// Parties is how many calls Concurrency needs inside the function at once.
const Parties = 10

// Concurrency checks that the server runs calls in parallel: it sends
// Parties calls to the fixture's ?barrier=, where each waits until all are
// inside the function at once and then answers how many arrived. A server
// that runs fewer at a time leaves the first call waiting out the fixture's
// 30 s and answering a smaller count. Nothing here depends on how fast the
// machine is. It returns how long the calls took, for the log.
func Concurrency(t Target) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	id := fmt.Sprintf("concurrency-%d", time.Now().UnixNano())
	url := fmt.Sprintf("%s/?barrier=%s&parties=%d", t.URL, id, Parties)
	start := time.Now()
	errs := make(chan error, Parties)
	for i := 0; i < Parties; i++ {
		go func() { errs <- barrierCall(ctx, url) }()
	}
	for i := 0; i < Parties; i++ {
		if err := <-errs; err != nil {
			return time.Since(start), err
		}
	}
	return time.Since(start), nil
}

func barrierCall(ctx context.Context, url string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: status %d (%s), want 200", url, resp.StatusCode, b)
	}
	if n, err := strconv.Atoi(strings.TrimSpace(string(b))); err != nil || n < Parties {
		return fmt.Errorf("the function saw %q of %d calls inside it at once: the server does not run %d calls in parallel", b, Parties, Parties)
	}
	return nil
}
