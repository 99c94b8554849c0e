// Package hostports finds host loopback addresses (127.0.0.1:PORT,
// http://localhost:PORT/...) in configuration values such as --env
// variables. Builds and functions run in their own network namespace, where
// the host's loopback does not exist: kiln build uses this to say which
// --allow-host-port a mirror needs, kiln run to forward the ports its --env
// names (an OTLP collector, a local database) into the function. It only
// reads strings; it must not decide what is allowed.
package hostports
