package brokers

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"kiln.dev/kiln/e2e/kiln"
)

// Process is a broker running as a child process.
type Process struct {
	Addr string // 127.0.0.1:port
	cmd  *exec.Cmd
	log  string
}

// Stop kills the broker.
func (p *Process) Stop() {
	if p.cmd != nil && p.cmd.Process != nil {
		p.cmd.Process.Kill()
		p.cmd.Wait()
	}
}

func start(dir, name string, args ...string) (*Process, error) {
	bin, err := exec.LookPath(name)
	if err != nil {
		return nil, fmt.Errorf("%s not found: apt-get install %s (.ci/run installs it)", name, map[string]string{"mosquitto": "mosquitto", "redis-server": "redis-server"}[name])
	}
	p := &Process{log: filepath.Join(dir, name+".log")}
	f, err := os.Create(p.log)
	if err != nil {
		return nil, err
	}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Process) waitListening() error {
	deadline := time.Now().Add(15 * time.Second)
	for {
		if c, err := net.DialTimeout("tcp", p.Addr, 100*time.Millisecond); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(p.log)
			p.Stop()
			return fmt.Errorf("%s did not listen on %s within 15s:\n%s", p.cmd.Path, p.Addr, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Mosquitto starts an MQTT broker. set_tcp_nodelay matters: without it
// every Dapr round trip waits ~40 ms for Nagle.
func Mosquitto(dir string) (*Process, error) {
	port, err := kiln.FreePort()
	if err != nil {
		return nil, err
	}
	conf := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf(`listener %d 127.0.0.1
allow_anonymous true
persistence false
set_tcp_nodelay true
max_queued_messages 100000
max_inflight_messages 0
log_dest stdout
log_type error
log_type warning
`, port)), 0o644); err != nil {
		return nil, err
	}
	p, err := start(dir, "mosquitto", "-c", conf)
	if err != nil {
		return nil, err
	}
	p.Addr = "127.0.0.1:" + strconv.Itoa(port)
	return p, p.waitListening()
}

// Redis starts redis-server without persistence.
func Redis(dir string) (*Process, error) {
	port, err := kiln.FreePort()
	if err != nil {
		return nil, err
	}
	p, err := start(dir, "redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir)
	if err != nil {
		return nil, err
	}
	p.Addr = "127.0.0.1:" + strconv.Itoa(port)
	return p, p.waitListening()
}

// Kafka starts an in-process Kafka-protocol broker with the given topics
// (one partition each, so order is kept).
func Kafka(topics ...string) (*kfake.Cluster, string, error) {
	port, err := kiln.FreePort()
	if err != nil {
		return nil, "", err
	}
	c, err := kfake.NewCluster(kfake.Ports(port), kfake.SeedTopics(1, topics...))
	if err != nil {
		return nil, "", err
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
