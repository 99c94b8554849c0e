// Package multi registers several functions, each at its own path, the way
// OpenFunction's multiple-functions-go and path-parameters-function-go
// samples do. Built with FUNC_NAME set to a name nothing registers (as those
// samples do), every function is served at its path.
package multi

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/functions"
	cloudevents "github.com/cloudevents/sdk-go/v2"
)

func init() {
	functions.HTTP("Foo", foo, functions.WithFunctionPath("/foo"))
	functions.HTTP("Bar", bar, functions.WithFunctionPath("/bar"))
	functions.HTTP("Hello", hello,
		functions.WithFunctionPath("/hello/{name}"),
		functions.WithFunctionMethods("GET", "POST"))
	functions.HTTP("Article", article, functions.WithFunctionPath("/articles/{category}/{id:[0-9]+}"))
	functions.CloudEvent("Event", event, functions.WithFunctionPath("/event/{name}"))
	functions.OpenFunction("Echo", echo, functions.WithFunctionPath("/echo/{name}"))
}

func foo(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]string{"hello": "foo!"})
}

func bar(w http.ResponseWriter, r *http.Request) {
	fmt.Fprint(w, "hello, bar!")
}

func hello(w http.ResponseWriter, r *http.Request) {
	vars := ofctx.VarsFromCtx(r.Context())
	json.NewEncoder(w).Encode(map[string]string{"hello": vars["name"]})
}

func article(w http.ResponseWriter, r *http.Request) {
	vars := ofctx.VarsFromCtx(r.Context())
	fmt.Fprintf(w, "%s #%s", vars["category"], vars["id"])
}

// event records the event it got (binary or structured mode) in
// function_output.json, with the path variable.
func event(ctx context.Context, ce cloudevents.Event) error {
	var data map[string]interface{}
	if err := ce.DataAs(&data); err != nil {
		return err
	}
	name := ofctx.VarsFromCtx(ctx)["name"]
	log.Printf("cloudevent %s for %s: %v", ce.ID(), name, data)
	b, err := json.Marshal(map[string]interface{}{"id": ce.ID(), "type": ce.Type(), "name": name, "data": data})
	if err != nil {
		return err
	}
	return writeOutput(b)
}

// echo answers {"<body or event data>": "<name>"}, as the path-parameters
// sample's OpenFunction function does, for HTTP and CloudEvents alike.
func echo(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	name := ofctx.VarsFromCtx(ctx.GetNativeContext())["name"]
	out, err := json.Marshal(map[string]string{string(in): name})
	if err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	return ctx.ReturnOnSuccess().WithData(out), nil
}
