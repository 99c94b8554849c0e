// Package asynccronkafka is triggered by a Dapr cron binding and writes one
// JSON record per tick to a Kafka topic through a Dapr Kafka output binding.
package asynccronkafka

import (
	"encoding/json"
	"sync/atomic"
	"time"

	"kiln.dev/functions-framework-go/ofctx"
)

var ticks atomic.Int64

// Tick sends {"tick":N,"at":"RFC3339"} to the output "kafka".
func Tick(ctx ofctx.Context, in []byte) (ofctx.Out, error) {
	rec, _ := json.Marshal(map[string]any{"tick": ticks.Add(1), "at": time.Now().UTC().Format(time.RFC3339Nano)})
	if _, err := ctx.Send("kafka", rec); err != nil {
		return ctx.ReturnOnInternalError(), err
	}
	return ctx.ReturnOnSuccess(), nil
}
