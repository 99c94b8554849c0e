package invoke

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Request is what kiln invoke sends.
type Request struct {
	URL     string
	Method  string   // "" = POST with a body or an event, else GET
	Headers []string // "Name: value"
	Data    []byte
	// Event, when set, sends Data as a CloudEvent.
	Event *Event
}

// Event is the CloudEvent context kiln invoke sets.
type Event struct {
	Type, Source string // required
	ID           string // "" = random
	Subject      string
	ContentType  string // datacontenttype; "" = application/json
	Structured   bool   // one application/cloudevents+json document instead of ce-* headers
	Time         time.Time
}

// SpecVersion is the CloudEvents version kiln invoke speaks.
const SpecVersion = "1.0"

// NewHTTPRequest builds the HTTP request for r.
func NewHTTPRequest(ctx context.Context, r Request) (*http.Request, error) {
	u, err := url.Parse(r.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("url %q: want http://HOST:PORT/PATH (or --port N for 127.0.0.1)", r.URL)
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
		if len(r.Data) > 0 || r.Event != nil {
			method = http.MethodPost
		}
	}
	body, header, err := payload(r)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, strings.ToUpper(method), u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("method %q: %w", method, err)
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	for _, h := range r.Headers {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" || strings.ContainsAny(k, " \t") {
			return nil, fmt.Errorf("header %q: want \"Name: value\"", h)
		}
		req.Header.Set(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	return req, nil
}

// payload is the body and headers for r's data, as an event or not.
func payload(r Request) ([]byte, http.Header, error) {
	h := http.Header{}
	e := r.Event
	if e == nil {
		if len(r.Data) > 0 {
			ct := "application/octet-stream"
			if json.Valid(r.Data) {
				ct = "application/json"
			} else if utf8.Valid(r.Data) {
				ct = "text/plain; charset=utf-8"
			}
			h.Set("Content-Type", ct)
		}
		return r.Data, h, nil
	}
	if e.Type == "" || e.Source == "" {
		return nil, nil, fmt.Errorf("a CloudEvent needs --ce-type and --ce-source (e.g. --ce-type dev.kiln.test --ce-source /cli)")
	}
	id := e.ID
	if id == "" {
		id = randomID()
	}
	ct := e.ContentType
	if ct == "" {
		ct = "application/json"
	}
	if !e.Structured {
		h.Set("Ce-Specversion", SpecVersion)
		h.Set("Ce-Type", e.Type)
		h.Set("Ce-Source", e.Source)
		h.Set("Ce-Id", id)
		if e.Subject != "" {
			h.Set("Ce-Subject", e.Subject)
		}
		if !e.Time.IsZero() {
			h.Set("Ce-Time", e.Time.UTC().Format(time.RFC3339Nano))
		}
		h.Set("Content-Type", ct)
		return r.Data, h, nil
	}
	doc := map[string]any{"specversion": SpecVersion, "type": e.Type, "source": e.Source, "id": id, "datacontenttype": ct}
	if e.Subject != "" {
		doc["subject"] = e.Subject
	}
	if !e.Time.IsZero() {
		doc["time"] = e.Time.UTC().Format(time.RFC3339Nano)
	}
	switch {
	case len(r.Data) == 0:
	case isJSON(ct) && json.Valid(r.Data):
		doc["data"] = json.RawMessage(r.Data)
	case utf8.Valid(r.Data) && !isJSON(ct):
		doc["data"] = string(r.Data)
	default:
		doc["data_base64"] = r.Data // encoding/json writes []byte as base64
	}
	body, err := json.Marshal(doc)
	if err != nil {
		return nil, nil, err
	}
	h.Set("Content-Type", "application/cloudevents+json")
	return body, h, nil
}

func isJSON(ct string) bool {
	mt, _, _ := strings.Cut(ct, ";")
	mt = strings.TrimSpace(strings.ToLower(mt))
	return mt == "application/json" || strings.HasSuffix(mt, "+json") || mt == "text/json"
}

func randomID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}
