//go:build go1.24

package funcframework

import (
	"net/http"
	"strings"
	"testing"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/functions"
	"kiln.dev/functions-framework-go/ofctx"
)

// An OpenFunction-signature function served at a path template sees the
// variables and, for a CloudEvent, the event itself.
func TestOpenFunctionAtAPath(t *testing.T) {
	t.Setenv("FUNC_CONTEXT", "")
	bar := func(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
		name := ofctx.VarsFromCtx(ctx.GetNativeContext())["name"]
		src := "http"
		if e := ctx.GetCloudEvent(); e != nil {
			src = "event " + e.ID
		}
		return ctx.ReturnOnSuccess().WithData([]byte(name + " " + src + " " + string(in))), nil
	}
	var rts []*OpenRuntime
	h, err := AllHandler([]functions.Registered{
		{Name: "Bar", Open: bar, Path: at(t, "/bar/{name}")},
		{Name: "Hello", HTTP: greet, Path: at(t, "/hello/{greeting}")},
	}, func(r functions.Registered) (http.Handler, error) {
		rt, err := NewOpenRuntime(r.Name, r.Open)
		rts = append(rts, rt)
		return rt.HTTPHandler(), err
	})
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, h, nil)
	if got := post(t, s.url+"/bar/openfunction", "text/plain", strings.NewReader("hello"), nil); got.code != 200 || got.body != "openfunction http hello" {
		t.Fatalf("POST /bar/openfunction: %+v", got)
	}
	req, _ := cloudevents.NewStructuredRequest(s.url+"/bar/kiln", cloudevents.Event{SpecVersion: "1.0", ID: "ce-1", Source: "s", Type: "t",
		DataContentType: "application/json", Data: []byte(`{"data":"hello"}`)})
	got := do(client(t), req)
	if got.code != 200 || got.body != `kiln event ce-1 {"data":"hello"}` {
		t.Fatalf("CloudEvent to /bar/kiln: %+v", got)
	}
	if got := get(t, s.url+"/hello/kiln"); got.body != "Hello, kiln!" {
		t.Fatalf("/hello/kiln: %+v", got)
	}
	if len(rts) != 1 {
		t.Fatalf("%d OpenFunction runtimes made, want 1", len(rts))
	}
}
