package invoke

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// seen is what the function received.
type seen struct {
	method, path string
	header       http.Header
	body         string
}

// function is a real HTTP server recording the last request.
func function(t *testing.T) (*httptest.Server, *seen) {
	t.Helper()
	var s seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s = seen{r.Method, r.URL.Path, r.Header.Clone(), string(b)}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv, &s
}

func TestSend(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		req        Request
		method     string
		headers    map[string]string
		body       string
		structured map[string]any
	}{
		{"get", Request{}, "GET", nil, "", nil},
		{"post json", Request{Data: []byte(`{"a":1}`)}, "POST", map[string]string{"Content-Type": "application/json"}, `{"a":1}`, nil},
		{"post text, method and header", Request{Method: "put", Data: []byte("hi"), Headers: []string{"X-Who: me", "Content-Type: text/x"}}, "PUT",
			map[string]string{"X-Who": "me", "Content-Type": "text/x"}, "hi", nil},
		{"binary event", Request{Data: []byte(`{"n":2}`), Event: &Event{Type: "t.x", Source: "/s", ID: "id-1", Subject: "sub", Time: at}}, "POST",
			map[string]string{"Ce-Specversion": "1.0", "Ce-Type": "t.x", "Ce-Source": "/s", "Ce-Id": "id-1", "Ce-Subject": "sub", "Ce-Time": "2026-11-30T12:00:00Z", "Content-Type": "application/json"},
			`{"n":2}`, nil},
		{"structured event, json data", Request{Data: []byte(`{"n":2}`), Event: &Event{Type: "t.x", Source: "/s", ID: "id-2", Structured: true}}, "POST",
			map[string]string{"Content-Type": "application/cloudevents+json", "Ce-Type": ""}, "",
			map[string]any{"specversion": "1.0", "type": "t.x", "source": "/s", "id": "id-2", "datacontenttype": "application/json", "data": map[string]any{"n": 2.0}}},
		{"structured event, text data", Request{Data: []byte("plain"), Event: &Event{Type: "t", Source: "s", ID: "3", ContentType: "text/plain", Structured: true}}, "POST",
			nil, "", map[string]any{"specversion": "1.0", "type": "t", "source": "s", "id": "3", "datacontenttype": "text/plain", "data": "plain"}},
		{"structured event, binary data", Request{Data: []byte{0xff, 0x00}, Event: &Event{Type: "t", Source: "s", ID: "4", ContentType: "application/octet-stream", Structured: true}}, "POST",
			nil, "", map[string]any{"specversion": "1.0", "type": "t", "source": "s", "id": "4", "datacontenttype": "application/octet-stream", "data_base64": "/wA="}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := function(t)
			tc.req.URL = srv.URL + "/fn"
			req, err := NewHTTPRequest(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got.method != tc.method || got.path != "/fn" {
				t.Errorf("%s %s, want %s /fn", got.method, got.path, tc.method)
			}
			for k, v := range tc.headers {
				if g := got.header.Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if tc.structured == nil {
				if got.body != tc.body {
					t.Errorf("body %q, want %q", got.body, tc.body)
				}
				return
			}
			var doc map[string]any
			if err := json.Unmarshal([]byte(got.body), &doc); err != nil {
				t.Fatalf("structured body %q: %v", got.body, err)
			}
			gb, _ := json.Marshal(doc)
			wb, _ := json.Marshal(tc.structured)
			if string(gb) != string(wb) {
				t.Errorf("event %s\nwant  %s", gb, wb)
			}
		})
	}
}

// A generated event id differs each time.
func TestEventIDIsRandom(t *testing.T) {
	a, _ := NewHTTPRequest(context.Background(), Request{URL: "http://h/", Event: &Event{Type: "t", Source: "s"}})
	b, _ := NewHTTPRequest(context.Background(), Request{URL: "http://h/", Event: &Event{Type: "t", Source: "s"}})
	if a.Header.Get("Ce-Id") == "" || a.Header.Get("Ce-Id") == b.Header.Get("Ce-Id") {
		t.Errorf("ids %q and %q", a.Header.Get("Ce-Id"), b.Header.Get("Ce-Id"))
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		req  Request
		want string
	}{
		{Request{URL: "127.0.0.1:8080"}, `url "127.0.0.1:8080": want http://HOST:PORT/PATH`},
		{Request{URL: "ftp://h/"}, "want http://"},
		{Request{URL: "http://h/", Headers: []string{"NoColon"}}, `header "NoColon": want "Name: value"`},
		{Request{URL: "http://h/", Event: &Event{Type: "t"}}, "a CloudEvent needs --ce-type and --ce-source"},
		{Request{URL: "http://h/", Method: "BAD METHOD"}, `method "BAD METHOD"`},
	} {
		if _, err := NewHTTPRequest(context.Background(), tc.req); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want an error saying %q", tc.req, err, tc.want)
		}
	}
}
