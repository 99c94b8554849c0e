// Package dapr talks to a Dapr sidecar without any dependency outside the Go
// standard library, so Kiln's Go framework stays buildable offline.
//
// It holds the app side of Dapr's callback protocol (AppCallback over gRPC,
// the default, or over HTTP when APP_PROTOCOL=http) and a client for Dapr's
// output API (InvokeBinding and PublishEvent over gRPC). gRPC runs on net/http's
// unencrypted HTTP/2 (Go 1.24+), and the few protobuf messages involved are
// encoded by hand in wire.go; their field numbers come from
// dapr/proto/runtime/v1/{appcallback,dapr}.proto.
//
// Everything daprd or a client sends is bounded: a gRPC message by
// MaxMessageBytes (4 MiB, RESOURCE_EXHAUSTED beyond, memory growing only
// with the bytes that arrive), an HTTP event body by App.MaxBodyBytes; two
// inputs on one delivery path are a start error, not a panic.
package dapr
