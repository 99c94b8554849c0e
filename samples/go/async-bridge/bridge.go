// Package asyncbridge is a sync→async bridge: an HTTP-triggered function that
// forwards the request body to an MQTT topic through Dapr and still answers
// the HTTP caller (202 with where the message went, 400 for an empty body).
package asyncbridge

import (
	"fmt"

	"kiln.dev/functions-framework-go/ofctx"
)

// Forward publishes the body to the output "mqtt".
func Forward(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	if len(in) == 0 {
		return (&ofctx.FunctionOut{}).WithCode(400).WithData([]byte("send a body to forward\n")), nil
	}
	if _, err := ctx.Send("mqtt", in); err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	return (&ofctx.FunctionOut{}).WithCode(202).WithData([]byte(fmt.Sprintf("forwarded %d bytes to mqtt\n", len(in)))), nil
}
