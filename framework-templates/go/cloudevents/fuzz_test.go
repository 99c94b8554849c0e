package cloudevents

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fuzzRequest builds a POST from fuzz input: a Content-Type, header lines
// ("Name: value", one per line) and a body, its length declared or not.
func fuzzRequest(contentType, headers string, body []byte, chunked bool) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	r.Header.Set("Content-Type", contentType)
	for _, line := range strings.Split(headers, "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok {
			r.Header.Add(k, strings.TrimSpace(v))
		}
	}
	if chunked {
		r.ContentLength = -1
		r.Body = io.NopCloser(r.Body)
	}
	return r
}

// FuzzFromRequest decodes arbitrary requests in binary and structured mode:
// no panic; an accepted event is valid and marshals; the body limit holds
// whether or not the length was declared.
func FuzzFromRequest(f *testing.F) {
	f.Add(StructuredContentType, "", []byte(`{"specversion":"1.0","id":"1","source":"s","type":"t","data":{"a":1}}`), false)
	f.Add(StructuredContentType, "", []byte(`{"specversion":"1.0","id":"1","source":"s","type":"t","data_base64":"AAE=","ext":true}`), true)
	f.Add("text/plain", "Ce-Specversion: 1.0\nCe-Id: 1\nCe-Source: s\nCe-Type: t\nCe-Traceparent: tp", []byte("hello"), false)
	f.Add("application/json", "Ce-Specversion: 1.0\nCe-Id: 1", []byte(`{}`), true)
	f.Add("application/json", "", []byte(`{}`), false)
	f.Fuzz(func(t *testing.T, contentType, headers string, body []byte, chunked bool) {
		e, err := FromRequest(fuzzRequest(contentType, headers, body, chunked))
		if err == nil {
			if verr := e.Validate(); verr != nil {
				t.Fatalf("accepted an invalid event %+v: %v", e, verr)
			}
			if _, merr := json.Marshal(e); merr != nil {
				t.Fatalf("accepted event does not marshal: %v", merr)
			}
		}
		const limit = 16
		_, err = fromRequest(fuzzRequest(contentType, headers, body, chunked), limit)
		if over := len(body) > limit; over != errors.Is(err, ErrBodyTooLarge) {
			t.Fatalf("%d-byte body with limit %d: err = %v", len(body), limit, err)
		}
	})
}
