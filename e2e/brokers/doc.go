// Package brokers starts real message brokers on loopback ports for the
// async e2e suite and the side-by-side benchmark: Debian's mosquitto and
// redis-server as child processes, and franz-go's kfake (a Kafka-protocol
// broker in Go) in process on a port the kernel picks. mosquitto and
// redis-server must bind the port their configuration names, so they get a
// port picked a moment before; when another process took it meanwhile (the
// broker logs "Address already in use" and exits) they are started again on
// a new one, a bounded number of times. Readiness is the broker's own ready
// log line, never a connect (which another process could answer).
// Components rewrites a sample's Dapr component folder to point at them;
// StreamState reads a Redis stream's consumer groups for delivery checks.
package brokers
