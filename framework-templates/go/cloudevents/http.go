package cloudevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strings"
)

// StructuredContentType is the media type of a structured-mode JSON event.
const StructuredContentType = "application/cloudevents+json"

// MaxBodyBytes bounds the request body FromRequest reads for one event
// (32 MiB). A server can set a tighter or looser bound with
// http.MaxBytesReader (Kiln's framework does, from KILN_MAX_BODY_BYTES).
const MaxBodyBytes = 32 << 20

// ErrBodyTooLarge is wrapped by FromRequest's error when the body is over
// MaxBodyBytes or over the bound of an http.MaxBytesReader around it; a
// server answers it with 413.
var ErrBodyTooLarge = errors.New("cloudevents: request body is too large")

// FromRequest reads a CloudEvent from an HTTP request in binary or structured
// mode and validates its required attributes. It reads at most MaxBodyBytes.
func FromRequest(r *http.Request) (Event, error) { return fromRequest(r, MaxBodyBytes) }

// FromRequestLimited is FromRequest with another bound on the body: a body
// over maxBodyBytes is an error wrapping ErrBodyTooLarge.
func FromRequestLimited(r *http.Request, maxBodyBytes int64) (Event, error) {
	return fromRequest(r, maxBodyBytes)
}

// readBody reads at most limit bytes of r's body: a declared Content-Length
// over the limit is refused before reading, a body that turns out longer
// (chunked, or cut short by a MaxBytesReader) as soon as it passes the limit.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, fmt.Errorf("%w: Content-Length %d is over %d bytes", ErrBodyTooLarge, r.ContentLength, limit)
	}
	if r.Body == nil {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, mbe.Limit)
	case err != nil:
		return nil, fmt.Errorf("cloudevents: reading body: %w", err)
	case int64(len(body)) > limit:
		return nil, fmt.Errorf("%w: over %d bytes", ErrBodyTooLarge, limit)
	}
	return body, nil
}

func fromRequest(r *http.Request, limit int64) (Event, error) {
	body, err := readBody(r, limit)
	if err != nil {
		return Event{}, err
	}
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var e Event
	if mediaType == StructuredContentType {
		if !json.Valid(body) {
			return Event{}, errors.New("cloudevents: structured event is not valid JSON")
		}
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
