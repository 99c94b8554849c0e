package cloudevents

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
)

// StructuredContentType is the media type of a structured-mode JSON event.
const StructuredContentType = "application/cloudevents+json"

// MaxBodyBytes bounds the request body read for one event (32 MiB).
const MaxBodyBytes = 32 << 20

// FromRequest reads a CloudEvent from an HTTP request in binary or structured
// mode and validates its required attributes.
func FromRequest(r *http.Request) (Event, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBodyBytes+1))
	if err != nil {
		return Event{}, fmt.Errorf("cloudevents: reading body: %w", err)
	}
	if len(body) > MaxBodyBytes {
		return Event{}, fmt.Errorf("cloudevents: body larger than %d bytes", MaxBodyBytes)
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var e Event
	if mediaType == StructuredContentType {
		if err := json.Unmarshal(body, &e); err != nil {
			return Event{}, err
		}
	} else {
		if r.Header.Get("Ce-Specversion") == "" {
			return Event{}, fmt.Errorf("cloudevents: request is neither binary mode (no ce-specversion header) nor structured mode (Content-Type is %q, want %s)", r.Header.Get("Content-Type"), StructuredContentType)
		}
		e = fromBinary(r.Header, body)
	}
	if err := e.Validate(); err != nil {
		return Event{}, err
	}
	return e, nil
}

func fromBinary(h http.Header, body []byte) Event {
	var e Event
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "ce-") {
			continue
		}
		e.setAttribute(strings.TrimPrefix(lk, "ce-"), h.Get(k))
	}
	e.DataContentType = h.Get("Content-Type")
	if len(body) > 0 {
		e.Data = body
	}
	return e
}

// NewBinaryRequest builds a binary-mode POST of e to url (for clients and tests).
func NewBinaryRequest(url string, e Event) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(e.Data))
	if err != nil {
		return nil, err
	}
	for name, value := range map[string]string{
		"specversion": e.SpecVersion, "id": e.ID, "source": e.Source, "type": e.Type,
		"subject": e.Subject, "time": e.Time, "dataschema": e.DataSchema,
	} {
		if value != "" {
			req.Header.Set("Ce-"+name, value)
		}
	}
	for k, v := range e.Extensions {
		req.Header.Set("Ce-"+k, v)
	}
	if e.DataContentType != "" {
		req.Header.Set("Content-Type", e.DataContentType)
	}
	return req, nil
}

// NewStructuredRequest builds a structured-mode POST of e to url.
func NewStructuredRequest(url string, e Event) (*http.Request, error) {
	b, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", StructuredContentType)
	return req, nil
}

// IsCloudEvent says whether r carries a CloudEvent in binary mode (a
// ce-specversion header) or structured mode (its content type).
func IsCloudEvent(r *http.Request) bool {
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return r.Header.Get("Ce-Specversion") != "" || mediaType == StructuredContentType
}
