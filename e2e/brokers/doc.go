// Package brokers starts real message brokers on free loopback ports for the
// async e2e suite and the side-by-side benchmark: Debian's mosquitto and
// redis-server as child processes, and franz-go's kfake (a Kafka-protocol
// broker in Go) in process. Components rewrites a sample's Dapr component
// folder to point at them.
package brokers
