// Package cloudevents holds the CloudEvent type Kiln functions receive and the
// HTTP protocol binding (CloudEvents spec v1.0): binary mode (ce-* headers and
// the body as data) and structured mode (application/cloudevents+json).
// It is standard library only and does no I/O beyond the request it is given.
package cloudevents
