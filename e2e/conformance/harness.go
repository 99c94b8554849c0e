package conformance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"reflect"
	"sync"
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

// Concurrency checks that ten calls sleeping one second each are served in
// parallel: all done in under two seconds.
func Concurrency(t Target) (time.Duration, error) {
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := http.Get(t.URL + "?sleep=1s")
			if err != nil {
				errs <- err
				return
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				errs <- fmt.Errorf("status %d", resp.StatusCode)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		return 0, err
	}
	d := time.Since(start)
	if d >= 2*time.Second {
		return d, fmt.Errorf("10 concurrent 1 s calls took %s, want < 2 s", d)
	}
	return d, nil
}
