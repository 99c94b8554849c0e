// Package invoke builds and sends the request kiln invoke makes to a running
// function: a plain HTTP request (method, headers, body), or a CloudEvent
// 1.0 in binary mode (ce-* headers, the data as the body) or structured mode
// (one application/cloudevents+json document). It owns the request's shape
// only; the function is whatever listens at the URL.
package invoke
