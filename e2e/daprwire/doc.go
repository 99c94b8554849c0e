// Package daprwire checks the Go framework's hand-written Dapr protobuf wire
// code (framework-templates/go/dapr) against Dapr's generated Go types over
// real gRPC, both ways: the framework's client against a daprd stand-in
// built on Dapr's DaprServer, and Dapr's AppCallback client against the
// framework's app server.
package daprwire
