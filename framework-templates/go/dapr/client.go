//go:build go1.24

package dapr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"
)

// DefaultWait bounds how long the client waits for a late sidecar.
const DefaultWait = 60 * time.Second

// Client calls Dapr's output API (InvokeBinding, PublishEvent) over gRPC.
type Client struct {
	Addr string        // host:port of daprd's gRPC API
	Wait time.Duration // how long a call may wait for daprd to come up
	rpc  *grpcClient
}

// NewClient reads DAPR_HOST (default 127.0.0.1), DAPR_GRPC_PORT (default
// 50001) and DAPR_WAIT_TIMEOUT (a Go duration, default 60s).
func NewClient() (*Client, error) {
	host := os.Getenv("DAPR_HOST")
	if host == "" {
		host = "127.0.0.1"
	}
	port := os.Getenv("DAPR_GRPC_PORT")
	if port == "" {
		port = "50001"
	}
	if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
		return nil, fmt.Errorf("env DAPR_GRPC_PORT=%q is not a TCP port; set it to daprd's --dapr-grpc-port", port)
	}
	wait := DefaultWait
	if v := os.Getenv("DAPR_WAIT_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d < 0 {
			return nil, fmt.Errorf("env DAPR_WAIT_TIMEOUT=%q is not a duration like 30s", v)
		}
		wait = d
	}
	addr := net.JoinHostPort(host, port)
	return &Client{Addr: addr, Wait: wait, rpc: newGRPCClient(addr)}, nil
}

// ErrSidecarUnreachable is returned when daprd does not answer within Wait.
var ErrSidecarUnreachable = errors.New("daprd is not reachable")

// WaitReady polls daprd's gRPC port until it answers HTTP/2 or Wait passes;
// the error says which env vars point at the sidecar. An accepted TCP
// connection is not enough: a port forwarder (kiln run's, a service mesh's)
// accepts even while nothing listens behind it.
func (c *Client) WaitReady(ctx context.Context) error {
	deadline := time.Now().Add(c.Wait)
	delay := 50 * time.Millisecond
	for {
		err := speaksHTTP2(c.Addr, time.Second)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w at %s after %s (DAPR_HOST/DAPR_GRPC_PORT): start daprd with --dapr-grpc-port, or `kiln run --dapr <components dir>`; DAPR_WAIT_TIMEOUT sets how long to wait: %v",
				ErrSidecarUnreachable, c.Addr, c.Wait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay):
		}
		if delay < time.Second {
			delay *= 2
		}
	}
}

// speaksHTTP2 sends the HTTP/2 client preface and an empty SETTINGS frame to
// addr and waits for the server's first frame, which a gRPC server sends at
// once: its SETTINGS.
func speaksHTTP2(addr string, timeout time.Duration) error {
	conn, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(timeout))
	const preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
	settings := []byte{0, 0, 0, 0x4, 0, 0, 0, 0, 0} // length 0, type SETTINGS, no flags, stream 0
	if _, err := conn.Write(append([]byte(preface), settings...)); err != nil {
		return err
	}
	var head [9]byte
	if _, err := io.ReadFull(conn, head[:]); err != nil {
		return fmt.Errorf("connected, but no HTTP/2 answer: %w", err)
	}
	if head[3] != 0x4 {
		return fmt.Errorf("connected, but the first frame is of type %d, not SETTINGS: not a gRPC server", head[3])
	}
	return nil
}

// call retries while daprd is not yet listening, within Wait.
func (c *Client) call(ctx context.Context, method string, header http.Header, req []byte) ([]byte, error) {
	resp, err := c.rpc.call(ctx, method, header, req)
	var opErr *net.OpError
	if err != nil && errors.As(err, &opErr) && opErr.Op == "dial" {
		if werr := c.WaitReady(ctx); werr != nil {
			return nil, werr
		}
		resp, err = c.rpc.call(ctx, method, header, req)
	}
	return resp, err
}

// InvokeBinding sends data to the output binding component name and returns
// the binding's response data.
func (c *Client) InvokeBinding(ctx context.Context, name, operation string, data []byte, metadata map[string]string, header http.Header) ([]byte, error) {
	resp, err := c.call(ctx, "/dapr.proto.runtime.v1.Dapr/InvokeBinding", header, encodeInvokeBinding(name, data, metadata, operation))
	if err != nil {
		return nil, fmt.Errorf("dapr output binding %q (operation %q): %w", name, operation, err)
	}
	return decodeInvokeBindingResponse(resp)
}

// Publish publishes data to topic on the pub/sub component pubsub.
func (c *Client) Publish(ctx context.Context, pubsub, topic string, data []byte, contentType string, metadata map[string]string, header http.Header) error {
	if _, err := c.call(ctx, "/dapr.proto.runtime.v1.Dapr/PublishEvent", header, encodePublish(pubsub, topic, data, contentType, metadata)); err != nil {
		return fmt.Errorf("dapr publish to %s/%s: %w", pubsub, topic, err)
	}
	return nil
}
