// Package cloudevent is a CloudEvent function: it logs each event it gets,
// in binary or structured mode.
//
//	kiln build samples/go/cloudevent --target OnEvent
package cloudevent

import (
	"context"
	"fmt"
	"log"

	"kiln.dev/functions-framework-go/cloudevents"
)

// Order is the data of the sample's events.
type Order struct {
	ID    string `json:"id"`
	Items int    `json:"items"`
}

// OnEvent logs the order in the event, and rejects events without one.
func OnEvent(ctx context.Context, e cloudevents.Event) error {
	var o Order
	if err := e.DataAs(&o); err != nil {
		return err
	}
	if o.ID == "" {
		return fmt.Errorf("event %s: order has no id", e.ID)
	}
	log.Printf("received %s event %s from %s: order %s with %d items", e.Type, e.ID, e.Source, o.ID, o.Items)
	return nil
}
