package main

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// cloudEvent is a CloudEvents 1.0 event in the structured JSON encoding;
// unknown top-level attributes (extensions, and what daprd adds: topic,
// pubsubname, traceparent) are kept in ext.
type cloudEvent struct {
	fields map[string]json.RawMessage
}

func newEvent(source, typ, subject string, data []byte, contentType string) *cloudEvent {
	var id [16]byte
	_, _ = rand.Read(id[:])
	e := &cloudEvent{fields: map[string]json.RawMessage{}}
	e.setString("specversion", "1.0")
	e.setString("id", hex.EncodeToString(id[:]))
	e.setString("source", source)
	e.setString("type", typ)
	e.setString("subject", subject)
	e.setString("time", time.Now().UTC().Format(time.RFC3339Nano))
	if json.Valid(data) && len(data) > 0 {
		e.setString("datacontenttype", "application/json")
		e.fields["data"] = append(json.RawMessage(nil), data...)
	} else {
		if contentType == "" {
			contentType = "text/plain"
		}
		e.setString("datacontenttype", contentType)
		e.setString("data", string(data))
	}
	return e
}

func parseEvent(b []byte) (*cloudEvent, error) {
	e := &cloudEvent{}
	if err := json.Unmarshal(b, &e.fields); err != nil {
		return nil, fmt.Errorf("cloudevent: decoding: %w", err)
	}
	for _, k := range []string{"specversion", "id", "source", "type"} {
		if e.str(k) == "" {
			return nil, fmt.Errorf("cloudevent: required attribute %s is missing", k)
		}
	}
	return e, nil
}

// payload is the event's data: data_base64 decoded, a JSON string's text,
// or other JSON as is.
func (e *cloudEvent) payload() ([]byte, error) {
	if b64 := e.str("data_base64"); b64 != "" {
		b, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			return nil, fmt.Errorf("cloudevent: data_base64: %w", err)
		}
		return b, nil
	}
	raw := e.fields["data"]
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return []byte(s), nil
	}
	return raw, nil
}

func (e *cloudEvent) setString(k, v string) {
	b, _ := json.Marshal(v)
	e.fields[k] = b
}

func (e *cloudEvent) str(k string) string {
	var s string
	if json.Unmarshal(e.fields[k], &s) != nil {
		return ""
	}
	return s
}

// context attributes and what daprd adds, none of them extensions.
var reserved = map[string]bool{"specversion": true, "id": true, "source": true, "type": true, "subject": true,
	"datacontenttype": true, "dataschema": true, "time": true, "data": true, "data_base64": true}

// attributes are what conditions see: the context attributes and every
// other string attribute as extensions.<name>.
func (e *cloudEvent) attributes() map[string]string {
	out := map[string]string{}
	for k := range e.fields {
		s := e.str(k)
		if reserved[k] {
			out[k] = s
		} else {
			out["extensions."+k] = s
		}
	}
	return out
}

func (e *cloudEvent) JSON() []byte {
	b, _ := json.Marshal(e.fields)
	return b
}
