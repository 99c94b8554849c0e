package cloudevents

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestFromRequest(t *testing.T) {
	full := Event{SpecVersion: "1.0", ID: "1", Source: "/s", Type: "t", Subject: "sub",
		Time: "2020-09-29T11:32:00.000Z", DataContentType: "application/json",
		Extensions: map[string]string{"traceparent": "00-abc"}, Data: []byte(`{"a":1}`)}
	tests := []struct {
		name    string
		build   func() (*http.Request, error)
		want    Event
		wantErr string
	}{
		{name: "binary", build: func() (*http.Request, error) { return NewBinaryRequest("http://x/", full) }, want: full},
		{name: "structured", build: func() (*http.Request, error) { return NewStructuredRequest("http://x/", full) }, want: full},
		{name: "structured text data", build: func() (*http.Request, error) {
			return raw(StructuredContentType, `{"specversion":"1.0","id":"2","source":"s","type":"t","datacontenttype":"text/plain","data":"hi"}`, nil)
		}, want: Event{SpecVersion: "1.0", ID: "2", Source: "s", Type: "t", DataContentType: "text/plain", Data: []byte("hi")}},
		{name: "structured base64", build: func() (*http.Request, error) {
			return raw(StructuredContentType, `{"specversion":"1.0","id":"3","source":"s","type":"t","data_base64":"AAE="}`, nil)
		}, want: Event{SpecVersion: "1.0", ID: "3", Source: "s", Type: "t", Data: []byte{0, 1}}},
		{name: "missing attributes", build: func() (*http.Request, error) {
			return raw(StructuredContentType, `{"specversion":"1.0"}`, nil)
		}, wantErr: "missing required attribute(s): id, source, type"},
		{name: "neither mode", build: func() (*http.Request, error) { return raw("application/json", `{}`, nil) },
			wantErr: "neither binary mode"},
		{name: "wrong spec version", build: func() (*http.Request, error) {
			return raw("text/plain", "x", map[string]string{"Ce-Specversion": "0.3", "Ce-Id": "1", "Ce-Source": "s", "Ce-Type": "t"})
		}, wantErr: `specversion "0.3" is not supported`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := tt.build()
			if err != nil {
				t.Fatal(err)
			}
			got, err := FromRequest(r)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	e := Event{SpecVersion: "1.0", ID: "1", Source: "s", Type: "t", DataContentType: "application/json", Data: []byte(`{"k":"v"}`)}
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"data":{"k":"v"},"datacontenttype":"application/json","id":"1","source":"s","specversion":"1.0","type":"t"}`
	if string(b) != want {
		t.Fatalf("got %s\nwant %s", b, want)
	}
	var back Event
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, e) {
		t.Fatalf("round trip: %+v != %+v", back, e)
	}
}

func raw(ct, body string, headers map[string]string) (*http.Request, error) {
	r := httptest.NewRequest("POST", "/", strings.NewReader(body))
	r.Header.Set("Content-Type", ct)
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r, nil
}
