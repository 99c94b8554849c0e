// Package storage is a CloudEvent function written the way Google's Functions
// Framework documents it: sdk-go's event type, registered by name.
package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"

	"github.com/GoogleCloudPlatform/functions-framework-go/functions"
	"github.com/cloudevents/sdk-go/v2/event"
)

func init() {
	functions.CloudEvent("HelloCloudEvent", helloCloudEvent)
}

// StorageObjectData is the data of a Cloud Storage event.
type StorageObjectData struct {
	Bucket string `json:"bucket,omitempty"`
	Name   string `json:"name,omitempty"`
}

// helloCloudEvent logs the event and writes it, as JSON, to
// function_output.json (the conformance protocol's record of what arrived).
func helloCloudEvent(ctx context.Context, e event.Event) error {
	var data StorageObjectData
	if err := e.DataAs(&data); err != nil {
		return fmt.Errorf("event.DataAs: %w", err)
	}
	log.Printf("Event ID: %s, type: %s, bucket: %s, file: %s", e.ID(), e.Type(), data.Bucket, data.Name)
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	return os.WriteFile("function_output.json", b, 0o644)
}
