package conformance

import (
	"fmt"
	"net/http"
	"testing"
	"time"
)

const (
	// testBodyLimit and testHeaderTimeout are what the limits process runs with.
	testBodyLimit     = 4096
	testHeaderTimeout = time.Second
	// grace is every framework's SIGTERM grace period.
	grace = 10 * time.Second
	// bigBody is the 34 MB POST of issue 11 (over the default 32 MiB limit).
	bigBody = 34 << 20
)

// TestHostileClients runs every hostile check against the Go, Node.js,
// Python and Java frameworks, each a process on the host.
func TestHostileClients(t *testing.T) {
	for _, fw := range frameworks {
		t.Run(fw.name, func(t *testing.T) {
			t.Parallel()
			t.Run("limits", func(t *testing.T) { limitChecks(t, fw) })
			t.Run("defaults", func(t *testing.T) { defaultChecks(t, fw) })
			if fw.openfunction {
				t.Run("openfunction-async", func(t *testing.T) { asyncChecks(t, fw) })
			}
		})
	}
}

// limitChecks runs against a process with a small body limit and a short
// read-header timeout; it ends with 200 idle connections and SIGTERM.
func limitChecks(t *testing.T, fw framework) {
	s := start(t, fw, "http", map[string]string{
		"KILN_MAX_BODY_BYTES":      fmt.Sprint(testBodyLimit),
		"KILN_READ_HEADER_TIMEOUT": fmt.Sprint(testHeaderTimeout.Seconds()),
	})
	check(t, "conformance: body echo", func() error { return HTTP(s.Target) })
	check(t, "conformance: 10 calls inside the function at once", func() error { _, err := Concurrency(s.Target); return err })
	t.Run("body over KILN_MAX_BODY_BYTES is a 413", func(t *testing.T) {
		if err := BodyLimit(s.Target, testBodyLimit); err != nil {
			t.Fatal(err)
		}
	})
	check(t, "Content-Length -1 is a 400", func() error { return BadContentLength(s.Target) })
	check(t, "chunked body arrives whole", func() error { return ChunkedBody(s.Target) })
	check(t, "client leaving mid-body", func() error { return DisconnectMidBody(s.Target) })
	t.Run("slowloris is cut off by KILN_READ_HEADER_TIMEOUT", func(t *testing.T) {
		if err := Slowloris(s.Target, testHeaderTimeout); err != nil {
			t.Fatal(err)
		}
	})
	check(t, "200 idle keep-alive connections, then SIGTERM exits within the grace period", func() error {
		closeAll, err := IdleConnections(s.Target, 200)
		defer closeAll()
		if err != nil {
			return err
		}
		return ExitsWithin(s, grace)
	})
}

// defaultChecks runs against a process with the default limits.
func defaultChecks(t *testing.T, fw framework) {
	s := start(t, fw, "http", nil)
	t.Run("34 MB POST is a 413 and the server lives", func(t *testing.T) {
		if err := BigBody(s.URL, bigBody); err != nil {
			t.Fatal(err)
		}
		if err := HTTP(s.Target); err != nil {
			t.Fatalf("after a 34 MB POST: %v", err)
		}
	})
	check(t, "SIGTERM drains a call in flight", func() error { return Drain(s, time.Second, grace) })
}

// asyncChecks sends the 34 MB POST to a Dapr input binding of an
// OpenFunction async function (where Node.js used to die of it).
func asyncChecks(t *testing.T, fw framework) {
	s := start(t, fw, "openfunction", map[string]string{
		"APP_PROTOCOL": "http",
		"FUNC_CONTEXT": `{"name":"hostile","runtime":"Async","inputs":{"in":{"componentName":"in","componentType":"bindings.mqtt3"}}}`,
	})
	check(t, "34 MB POST to an input binding is a 413 and the server lives", func() error {
		if err := BigBody(s.URL+"/in", bigBody); err != nil {
			return err
		}
		resp, err := http.Get(s.URL + "/dapr/subscribe")
		if err != nil {
			return fmt.Errorf("after a 34 MB POST: %w", err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("after a 34 MB POST: GET /dapr/subscribe: status %d", resp.StatusCode)
		}
		return nil
	})
}

func check(t *testing.T, name string, f func() error) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		if err := f(); err != nil {
			t.Fatal(err)
		}
	})
}
