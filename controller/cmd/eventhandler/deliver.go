package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

const contentTypeCE = "application/cloudevents+json"

// sender posts events to daprd's publish API and to sinks.
type sender struct {
	client *http.Client
	// dapr is daprd's HTTP address, http://127.0.0.1:$DAPR_HTTP_PORT.
	dapr string
}

func (s *sender) publish(ctx context.Context, pubsub, topic string, e *cloudEvent) error {
	u := s.dapr + "/v1.0/publish/" + url.PathEscape(pubsub) + "/" + url.PathEscape(topic)
	if err := s.post(ctx, u, e); err != nil {
		return fmt.Errorf("publish to %s/%s: %w", pubsub, topic, err)
	}
	return nil
}

func (s *sender) toSink(ctx context.Context, sink string, e *cloudEvent) error {
	if err := s.post(ctx, sink, e); err != nil {
		return fmt.Errorf("deliver to sink %s: %w", sink, err)
	}
	return nil
}

func (s *sender) post(ctx context.Context, u string, e *cloudEvent) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(e.JSON()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", contentTypeCE)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("status %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return nil
}
