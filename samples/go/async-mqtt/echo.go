// Package asyncmqtt is an async function: Dapr delivers each MQTT message from
// the input binding "in", and the function sends a reply to the output "out".
package asyncmqtt

import (
	"bytes"
	"encoding/json"
	"time"

	"kiln.dev/functions-framework-go/hooks"
	"kiln.dev/functions-framework-go/ofctx"
)

// Echo sends {"echo": "<the message, upper-cased>"} on.
func Echo(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	reply, _ := json.Marshal(map[string]string{"echo": string(bytes.ToUpper(in))})
	if _, err := ctx.Send("out", reply); err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	return ctx.ReturnOnSuccess().WithData(reply), nil
}

// stamp is a sample hook: its pre-hook notes when the message arrived, its
// post-hook says how long the function and its output took. FUNC_CONTEXT
// lists it in prePlugins and postPlugins.
type stamp struct{ at time.Time }

func (s *stamp) PreHook(ctx ofctx.RuntimeContext) error {
	s.at = time.Now()
	ctx.Values()["stamp"] = s.at
	return nil
}

func (s *stamp) PostHook(ctx ofctx.RuntimeContext) error {
	println("stamp:", ctx.GetInputName(), len(ctx.GetOut().GetData()), "bytes in", time.Since(s.at).String())
	return nil
}

func init() { hooks.Register("stamp", func() hooks.Hook { return &stamp{} }) }
