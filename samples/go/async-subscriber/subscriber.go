// Package asyncsubscriber subscribes to the pub/sub topic "orders" (Redis
// Streams through Dapr) and reports each order on the MQTT output "receipts".
// A message it cannot parse is dropped; an order it cannot report is retried.
package asyncsubscriber

import (
	"encoding/json"
	"fmt"

	"kiln.dev/functions-framework-go/ofctx"
)

type order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// Receive handles one order.
func Receive(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	var o order
	if err := json.Unmarshal(in, &o); err != nil || o.ID == "" {
		return (&ofctx.FunctionOut{}).WithCode(400), fmt.Errorf("not an order: %q", in)
	}
	receipt := fmt.Sprintf(`{"order":%q,"items":%d,"topic":%q}`, o.ID, o.Items, ctx.GetTopicEvent().Topic)
	if _, err := ctx.Send("receipts", []byte(receipt)); err != nil {
		out := ctx.ReturnOnInternalError().GetOut()
		out.Metadata = map[string]string{"retry": "true"}
		return out, err
	}
	return ctx.ReturnOnSuccess(), nil
}
