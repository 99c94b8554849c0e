package cloudevents

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

// TestMarshalData: how data is carried in structured mode depends on its
// content type: JSON inline, text as a string, anything else as base64.
func TestMarshalData(t *testing.T) {
	base := `"id":"1","source":"s","specversion":"1.0","type":"t"`
	for _, tt := range []struct {
		ct   string
		data string
		want string // the JSON members besides base
	}{
		{"", `{"a":1}`, `{"data":{"a":1},` + base + `}`},
		{"application/json", `[1]`, `{"data":[1],"datacontenttype":"application/json",` + base + `}`},
		{"Application/JSON; charset=utf-8", `1`, `{"data":1,"datacontenttype":"Application/JSON; charset=utf-8",` + base + `}`},
		{"text/json", `true`, `{"data":true,"datacontenttype":"text/json",` + base + `}`},
		{"application/vnd.x+json", `{}`, `{"data":{},"datacontenttype":"application/vnd.x+json",` + base + `}`},
		{"application/json", `not json`, `{"data_base64":"bm90IGpzb24=","datacontenttype":"application/json",` + base + `}`},
		{"text/plain", `{"a":1}`, `{"data":"{\"a\":1}","datacontenttype":"text/plain",` + base + `}`},
		{"application/xml", `<a/>`, `{"data":"\u003ca/\u003e","datacontenttype":"application/xml",` + base + `}`},
		{"application/octet-stream", "\x00\x01", `{"data_base64":"AAE=","datacontenttype":"application/octet-stream",` + base + `}`},
		{"text/plain", ``, `{"datacontenttype":"text/plain",` + base + `}`},
	} {
		e := Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "t", DataContentType: tt.ct}
		if tt.data != "" {
			e.Data = []byte(tt.data)
		}
		b, err := json.Marshal(e)
		if err != nil || string(b) != tt.want {
			t.Errorf("%q %q:\n got %s %v\nwant %s", tt.ct, tt.data, b, err, tt.want)
			continue
		}
		var back Event
		if err := json.Unmarshal(b, &back); err != nil || !reflect.DeepEqual(back, e) {
			t.Errorf("%q %q: round trip %+v %v, want %+v", tt.ct, tt.data, back, err, e)
		}
	}
}

func TestMarshalAllAttributes(t *testing.T) {
	e := Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "t", Subject: "sub", Time: "2020-01-01T00:00:00Z",
		DataSchema: "http://schema", Extensions: map[string]string{"ext": "v", "traceparent": "tp"}}
	b, _ := json.Marshal(e)
	want := `{"dataschema":"http://schema","ext":"v","id":"1","source":"s","specversion":"1.0","subject":"sub","time":"2020-01-01T00:00:00Z","traceparent":"tp","type":"t"}`
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
}

func TestUnmarshalAttributes(t *testing.T) {
	var e Event
	err := json.Unmarshal([]byte(`{"specversion":"1.0","id":7,"source":"s","type":"t","sampled":true,"ratio":0.5,"subject":null,"data":"\"q\""}`), &e)
	want := Event{SpecVersion: "1.0", ID: "7", Source: "s", Type: "t", Extensions: map[string]string{"sampled": "true", "ratio": "0.5"}, Data: []byte(`"q"`)}
	if err != nil || !reflect.DeepEqual(e, want) {
		t.Fatalf("got %+v %v\nwant %+v", e, err, want)
	}
	for _, tt := range []struct{ in, want string }{
		{`[]`, "cloudevents: structured event is not a JSON object: json: cannot unmarshal array into Go value of type map[string]json.RawMessage"},
		{`{"id":{"a":1}}`, `cloudevents: attribute "id": must be a string, number or boolean`},
		{`{"data_base64":1}`, "cloudevents: data_base64 must be a string: json: cannot unmarshal number into Go value of type string"},
		{`{"data_base64":"!!"}`, "cloudevents: data_base64 is not base64: illegal base64 data at input byte 0"},
	} {
		var e Event
		if err := json.Unmarshal([]byte(tt.in), &e); err == nil || err.Error() != tt.want {
			t.Errorf("%s: err = %v\nwant %s", tt.in, err, tt.want)
		}
	}
}

func TestDataAs(t *testing.T) {
	var v struct{ A int }
	if err := (Event{ID: "1", Data: []byte(`{"A":3}`)}).DataAs(&v); err != nil || v.A != 3 {
		t.Fatalf("DataAs: %+v %v", v, err)
	}
	if err := (Event{ID: "2"}).DataAs(&v); err == nil || err.Error() != `cloudevents: event "2" has no data` {
		t.Fatalf("no data: %v", err)
	}
	err := (Event{ID: "3", DataContentType: "text/plain", Data: []byte("hi")}).DataAs(&v)
	if err == nil || !strings.HasPrefix(err.Error(), `cloudevents: event "3" data is not JSON (datacontenttype "text/plain"): `) {
		t.Fatalf("not JSON: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, tt := range []struct {
		e    Event
		want string
	}{
		{Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "t"}, ""},
		{Event{}, "cloudevents: missing required attribute(s): specversion, id, source, type"},
		{Event{SpecVersion: "1.0", ID: "1", Type: "t"}, "cloudevents: missing required attribute(s): source"},
		{Event{SpecVersion: "0.3", ID: "1", Source: "s", Type: "t"}, `cloudevents: specversion "0.3" is not supported (want 1.0)`},
	} {
		err := tt.e.Validate()
		if (tt.want == "" && err != nil) || (tt.want != "" && (err == nil || err.Error() != tt.want)) {
			t.Errorf("%+v: %v, want %q", tt.e, err, tt.want)
		}
	}
}

func TestIsCloudEvent(t *testing.T) {
	for _, tt := range []struct {
		ct, specversion string
		want            bool
	}{
		{"application/cloudevents+json", "", true},
		{"application/cloudevents+json; charset=utf-8", "", true},
		{"application/json", "1.0", true},
		{"", "1.0", true},
		{"application/json", "", false},
		{"", "", false},
	} {
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Header.Set("Content-Type", tt.ct)
		if tt.specversion != "" {
			r.Header.Set("Ce-Specversion", tt.specversion)
		}
		if got := IsCloudEvent(r); got != tt.want {
			t.Errorf("Content-Type %q ce-specversion %q: %v, want %v", tt.ct, tt.specversion, got, tt.want)
		}
	}
}

// TestBinaryMode: ce-* headers become attributes (case-insensitive),
// Content-Type the datacontenttype, an empty body no data.
func TestBinaryMode(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	for k, v := range map[string]string{"CE-SPECVERSION": "1.0", "ce-id": "1", "Ce-Source": "s", "Ce-Type": "t", "Ce-Subject": "sub",
		"Ce-Time": "now", "Ce-Dataschema": "ds", "Ce-Traceparent": "tp", "X-Other": "not an attribute"} {
		r.Header.Set(k, v)
	}
	got, err := FromRequest(r)
	want := Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "t", Subject: "sub", Time: "now", DataSchema: "ds", Extensions: map[string]string{"traceparent": "tp"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v %v\nwant %+v", got, err, want)
	}
	back, _ := NewBinaryRequest("http://x/", want)
	if back.Header.Get("Ce-Traceparent") != "tp" || back.Header.Get("Ce-Dataschema") != "ds" || back.Header.Get("Content-Type") != "" {
		t.Fatalf("NewBinaryRequest headers: %v", back.Header)
	}
	if _, err := NewBinaryRequest("::", want); err == nil {
		t.Fatal("NewBinaryRequest accepted a bad URL")
	}
	if _, err := NewStructuredRequest("::", want); err == nil {
		t.Fatal("NewStructuredRequest accepted a bad URL")
	}
}

func TestStructuredNotJSON(t *testing.T) {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(`{"id":`))
	r.Header.Set("Content-Type", StructuredContentType)
	if _, err := FromRequest(r); err == nil || err.Error() != "cloudevents: structured event is not valid JSON" {
		t.Fatalf("err = %v", err)
	}
}
