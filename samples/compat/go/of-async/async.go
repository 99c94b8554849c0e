// Package async is an OpenFunction async function written the way
// OpenFunction documents it: the OpenFunction signature, the binding event
// that triggered it, and Send to an output declared in FUNC_CONTEXT.
package async

import (
	"encoding/json"
	"fmt"
	"log"
	"strings"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/functions"
)

func init() {
	functions.OpenFunction("Upper", Upper)
}

// Upper sends the upper-cased input to the output "out", with the binding's
// metadata, and answers what it sent.
func Upper(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	source := "http"
	if be := ctx.GetBindingEvent(); be != nil {
		source = fmt.Sprintf("binding (%d metadata)", len(be.Metadata))
	} else if te := ctx.GetTopicEvent(); te != nil {
		source = "topic " + te.Topic
	}
	msg, err := json.Marshal(map[string]string{"upper": strings.ToUpper(string(in)), "from": source, "input": ctx.GetInputName()})
	if err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	if _, err := ctx.Send("out", msg); err != nil {
		log.Printf("send to out: %v", err)
		return ctx.ReturnOnInternalError(), err
	}
	return ctx.ReturnOnSuccess().WithData(msg), nil
}
