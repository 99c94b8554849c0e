package funcframework

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	kce "kiln.dev/functions-framework-go/cloudevents"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
)

var (
	mu   sync.Mutex
	last []byte // the last event a CloudEvent function wrote, as JSON
)

type greeting struct {
	Name string `json:"name"`
}

// Registered once per process, as init funcs do.
func init() {
	functions.HTTP("HelloHTTP", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintf(w, "Hello, %s!", r.URL.Query().Get("name")) })
	functions.CloudEvent("HelloEvent", func(ctx context.Context, e cloudevents.Event) error {
		var d map[string]string
		if err := e.DataAs(&d); err != nil {
			return fmt.Errorf("event %s: %w", e.ID(), err)
		}
		b, err := json.Marshal(e)
		mu.Lock()
		last = b
		mu.Unlock()
		return err
	})
	functions.Typed("Greet", func(g greeting) (map[string]string, error) {
		if g.Name == "" {
			return nil, errors.New("no name")
		}
		return map[string]string{"greeting": "Hello, " + g.Name}, nil
	})
	if err := RegisterHTTPFunctionContext(context.Background(), "/legacy", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "legacy") }); err != nil {
		panic(err)
	}
}

func serve(t *testing.T, target string) string {
	t.Helper()
	h, err := handler(target)
	if err != nil {
		t.Fatal(err)
	}
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s.URL
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}

func TestTargetIsServedOnEveryPath(t *testing.T) {
	url := serve(t, "HelloHTTP")
	for _, p := range []string{"/?name=Kiln", "/HelloHTTP?name=Kiln", "/any/path?name=Kiln"} {
		if code, body := get(t, url+p); code != 200 || body != "Hello, Kiln!" {
			t.Errorf("%s: %d %q", p, code, body)
		}
	}
	// An unknown target falls back to the last function registered at a path.
	if code, body := get(t, serve(t, "Nope")+"/x"); code != 200 || body != "legacy" {
		t.Errorf("fallback: %d %q", code, body)
	}
}

func TestWithoutTargetEveryFunctionAtItsPath(t *testing.T) {
	url := serve(t, "")
	for p, want := range map[string]string{"/HelloHTTP?name=a": "Hello, a!", "/legacy": "legacy"} {
		if code, body := get(t, url+p); code != 200 || body != want {
			t.Errorf("%s: %d %q, want %q", p, code, body, want)
		}
	}
	if code, _ := get(t, url+"/elsewhere"); code != 404 {
		t.Errorf("/elsewhere: %d, want 404", code)
	}
}

func TestCloudEventFunction(t *testing.T) {
	url := serve(t, "HelloEvent")
	ev := kce.Event{SpecVersion: "1.0", ID: "aaaa-1111", Source: "//storage.googleapis.com/projects/_/buckets/some-bucket",
		Type: "google.cloud.storage.object.v1.finalized", Subject: "objects/folder/Test.cs", Time: "2020-09-29T11:32:00.000Z",
		DataContentType: "application/json", Extensions: map[string]string{"traceparent": "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},
		Data: []byte(`{"bucket":"some-bucket","name":"folder/Test.cs"}`)}
	for mode, mk := range map[string]func(string, kce.Event) (*http.Request, error){"binary": kce.NewBinaryRequest, "structured": kce.NewStructuredRequest} {
		req, _ := mk(url, ev)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d", mode, resp.StatusCode)
		}
		mu.Lock()
		var got map[string]interface{}
		json.Unmarshal(last, &got)
		mu.Unlock()
		if got["id"] != "aaaa-1111" || got["subject"] != "objects/folder/Test.cs" || got["time"] != "2020-09-29T11:32:00Z" ||
			got["traceparent"] == nil || got["data"].(map[string]interface{})["bucket"] != "some-bucket" {
			t.Errorf("%s: the function saw %v", mode, got)
		}
	}
	ev.Data = []byte("not json")
	req, _ := kce.NewBinaryRequest(url, ev)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 500 || !strings.Contains(string(b), "event aaaa-1111") {
		t.Fatalf("an error: %d %q", resp.StatusCode, b)
	}
}

func TestTyped(t *testing.T) {
	url := serve(t, "Greet")
	for _, tt := range []struct {
		body string
		code int
		want string
	}{
		{`{"name":"Kiln"}`, 200, `{"greeting":"Hello, Kiln"}`},
		{`{}`, 500, "Function error: no name"},
		{`nope`, 400, "Error while converting input data."},
	} {
		resp, err := http.Post(url, "application/json", strings.NewReader(tt.body))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.code || !strings.HasPrefix(strings.TrimSpace(string(b)), tt.want) {
			t.Errorf("%s: %d %q, want %d %q", tt.body, resp.StatusCode, b, tt.code, tt.want)
		}
	}
}

func TestRefused(t *testing.T) {
	if err := RegisterEventFunctionContext(context.Background(), "/e", func(context.Context, struct{}) error { return nil }); err != ErrBackgroundFunctions {
		t.Fatalf("background function: %v", err)
	}
	if err := RegisterHTTPFunctionContext(context.Background(), "nope", nil); err == nil || err.Error() != `function path "nope" must start with "/"` {
		t.Fatalf("bad path: %v", err)
	}
	if _, err := handler("Nope"); err != nil {
		t.Fatalf("with an unnamed function registered, an unknown target falls back to it: %v", err)
	}
}
