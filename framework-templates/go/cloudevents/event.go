package cloudevents

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Event is a CloudEvent (spec version 1.0). Context attributes are fields;
// attributes outside the spec are Extensions. Data holds the payload bytes as
// they arrived (JSON text for JSON content types).
type Event struct {
	SpecVersion     string
	ID              string
	Source          string
	Type            string
	Subject         string
	Time            string
	DataContentType string
	DataSchema      string
	Extensions      map[string]string
	Data            []byte
}

// DataAs decodes JSON data into v.
func (e Event) DataAs(v any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("cloudevents: event %q has no data", e.ID)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("cloudevents: event %q data is not JSON (datacontenttype %q): %w", e.ID, e.DataContentType, err)
	}
	return nil
}

// Validate reports the first missing required attribute.
func (e Event) Validate() error {
	var missing []string
	for _, a := range []struct{ name, value string }{
		{"specversion", e.SpecVersion}, {"id", e.ID}, {"source", e.Source}, {"type", e.Type},
	} {
		if a.value == "" {
			missing = append(missing, a.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("cloudevents: missing required attribute(s): %s", strings.Join(missing, ", "))
	}
	if e.SpecVersion != "1.0" {
		return fmt.Errorf("cloudevents: specversion %q is not supported (want 1.0)", e.SpecVersion)
	}
	return nil
}

// isJSON reports whether a datacontenttype carries JSON (absent means JSON).
func isJSON(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return ct == "" || ct == "application/json" || ct == "text/json" || strings.HasSuffix(ct, "+json")
}

func isText(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(contentType))
	return strings.HasPrefix(ct, "text/") || strings.HasSuffix(strings.SplitN(ct, ";", 2)[0], "/xml")
}

// MarshalJSON renders the event in the structured JSON format.
func (e Event) MarshalJSON() ([]byte, error) {
	m := map[string]any{}
	for k, v := range e.Extensions {
		m[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	set("specversion", e.SpecVersion)
	set("id", e.ID)
	set("source", e.Source)
	set("type", e.Type)
	set("subject", e.Subject)
	set("time", e.Time)
	set("datacontenttype", e.DataContentType)
	set("dataschema", e.DataSchema)
	if len(e.Data) > 0 {
		switch {
		case isJSON(e.DataContentType) && json.Valid(e.Data):
			m["data"] = json.RawMessage(e.Data)
		case isText(e.DataContentType):
			m["data"] = string(e.Data)
		default:
			m["data_base64"] = base64.StdEncoding.EncodeToString(e.Data)
		}
	}
	return json.Marshal(m)
}

// UnmarshalJSON parses the structured JSON format.
func (e *Event) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("cloudevents: structured event is not a JSON object: %w", err)
	}
	*e = Event{}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := raw[k]
		switch k {
		case "data":
			e.Data = decodeData(v)
		case "data_base64":
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("cloudevents: data_base64 must be a string: %w", err)
			}
			d, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return fmt.Errorf("cloudevents: data_base64 is not base64: %w", err)
			}
			e.Data = d
		default:
			if string(v) == "null" { // the JSON format's way of leaving an attribute out
				continue
			}
			s, err := attributeString(v)
			if err != nil {
				return fmt.Errorf("cloudevents: attribute %q: %w", k, err)
			}
			e.setAttribute(k, s)
		}
	}
	return nil
}

// decodeData keeps JSON data as JSON text, except a JSON string, which is the
// text itself (structured mode carries text data as a JSON string).
func decodeData(v json.RawMessage) []byte {
	var s string
	if len(v) > 0 && v[0] == '"' && json.Unmarshal(v, &s) == nil {
		return []byte(s)
	}
	return []byte(v)
}

func attributeString(v json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(v, &s); err == nil {
		return s, nil
	}
	var any_ any
	if err := json.Unmarshal(v, &any_); err != nil {
		return "", err
	}
	switch x := any_.(type) {
	case bool, float64:
		return fmt.Sprint(x), nil
	}
	return "", fmt.Errorf("must be a string, number or boolean")
}

func (e *Event) setAttribute(name, value string) {
	switch name {
	case "specversion":
		e.SpecVersion = value
	case "id":
		e.ID = value
	case "source":
		e.Source = value
	case "type":
		e.Type = value
	case "subject":
		e.Subject = value
	case "time":
		e.Time = value
	case "datacontenttype":
		e.DataContentType = value
	case "dataschema":
		e.DataSchema = value
	default:
		if e.Extensions == nil {
			e.Extensions = map[string]string{}
		}
		e.Extensions[name] = value
	}
}
