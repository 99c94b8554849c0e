package brokers

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kfake"

	"kiln.dev/kiln/e2e/kiln"
)

// Mosquitto starts an MQTT broker on a free loopback port.
// set_tcp_nodelay matters: without it every Dapr round trip waits ~40 ms for
// Nagle. Its log keeps errors, warnings and the start-up lines (the ready
// line is one of them), on stderr: mosquitto buffers stdout when it is a file.
func Mosquitto(dir string) (*Process, error) {
	return startOnFreePort(dir, mosquitto, kiln.FreePort)
}

var mosquitto = broker{bin: "mosquitto", pkg: "mosquitto", ready: " running",
	args: func(dir string, port int) ([]string, error) {
		conf := filepath.Join(dir, "mosquitto.conf")
		err := os.WriteFile(conf, []byte(fmt.Sprintf(`listener %d 127.0.0.1
allow_anonymous true
persistence false
set_tcp_nodelay true
max_queued_messages 100000
max_inflight_messages 0
log_dest stderr
log_type error
log_type warning
log_type information
`, port)), 0o644)
		if err != nil {
			return nil, fmt.Errorf("mosquitto: writing %s: %w", conf, err)
		}
		return []string{"-c", conf}, nil
	}}

// Redis starts redis-server on a free loopback port, without persistence.
func Redis(dir string) (*Process, error) {
	return startOnFreePort(dir, redisServer, kiln.FreePort)
}

var redisServer = broker{bin: "redis-server", pkg: "redis-server", ready: "Ready to accept connections",
	args: func(dir string, port int) ([]string, error) {
		return []string{"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir}, nil
	}}

// Kafka starts an in-process Kafka-protocol broker with the given topics
// (one partition each, so order is kept), listening on a port the kernel
// chose.
func Kafka(topics ...string) (*kfake.Cluster, string, error) {
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(1, topics...))
	if err != nil {
		return nil, "", fmt.Errorf("kfake: starting a one-broker cluster: %w", err)
	}
	return c, c.ListenAddrs()[0], nil
}

// Defaults are the broker addresses the samples' component files carry.
const (
	DefaultMQTT  = "127.0.0.1:1883"
	DefaultRedis = "127.0.0.1:6379"
	DefaultKafka = "127.0.0.1:9092"
)

// Components copies the Dapr component folder src to dst, replacing the
// samples' default broker addresses with the running ones (old → new).
func Components(src, dst string, replace map[string]string) error {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	files, err := filepath.Glob(filepath.Join(src, "*.yaml"))
	if err != nil || len(files) == 0 {
		return fmt.Errorf("no Dapr component files in %s (%v)", src, err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		s := string(b)
		for old, new := range replace {
			s = strings.ReplaceAll(s, old, new)
		}
		if err := os.WriteFile(filepath.Join(dst, filepath.Base(f)), []byte(s), 0o644); err != nil {
			return err
		}
	}
	return nil
}
