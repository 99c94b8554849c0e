// Package cevent turns the CloudEvents Kiln's framework decodes into
// sdk-go's event.Event, the type OpenFunction's and Google's frameworks hand
// to functions.
package cevent

import (
	"fmt"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	kce "kiln.dev/functions-framework-go/cloudevents"
)

// ToSDK converts e. The data keeps its bytes; a time that is not RFC 3339, or
// what sdk-go refuses (an extension name), is an error naming the attribute.
func ToSDK(e kce.Event) (event.Event, error) {
	out := event.New(e.SpecVersion)
	out.SetID(e.ID)
	out.SetSource(e.Source)
	out.SetType(e.Type)
	if e.Subject != "" {
		out.SetSubject(e.Subject)
	}
	if e.DataSchema != "" {
		out.SetDataSchema(e.DataSchema)
	}
	if e.DataContentType != "" {
		out.SetDataContentType(e.DataContentType)
	}
	if e.Time != "" {
		t, err := time.Parse(time.RFC3339Nano, e.Time)
		if err != nil {
			return out, fmt.Errorf("cloudevents: attribute time %q is not an RFC 3339 timestamp", e.Time)
		}
		out.SetTime(t)
	}
	for k, v := range e.Extensions {
		out.SetExtension(k, v)
	}
	if e.Data != nil {
		out.DataEncoded = e.Data
	}
	if err := out.Validate(); err != nil {
		return out, fmt.Errorf("cloudevents: %w", err)
	}
	return out, nil
}

// FromSDK converts an sdk-go event back (for events a function builds).
func FromSDK(e event.Event) kce.Event {
	out := kce.Event{SpecVersion: e.SpecVersion(), ID: e.ID(), Source: e.Source(), Type: e.Type(), Subject: e.Subject(),
		DataSchema: e.DataSchema(), DataContentType: e.DataContentType(), Data: e.Data()}
	if t := e.Time(); !t.IsZero() {
		out.Time = t.UTC().Format(time.RFC3339Nano)
	}
	for k, v := range e.Extensions() {
		if out.Extensions == nil {
			out.Extensions = map[string]string{}
		}
		out.Extensions[k] = fmt.Sprint(v)
	}
	return out
}
