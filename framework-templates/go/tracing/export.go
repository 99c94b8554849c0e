package tracing

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"kiln.dev/functions-framework-go/funccontext"
)

// The OTLP JSON shapes (opentelemetry-proto, JSON encoding: hex ids,
// int64 as decimal strings, enums as numbers).
type (
	keyValue struct {
		Key   string   `json:"key"`
		Value anyValue `json:"value"`
	}
	anyValue struct {
		StringValue string `json:"stringValue"`
	}
	status struct {
		Code    int    `json:"code"`
		Message string `json:"message,omitempty"`
	}
	spanRecord struct {
		TraceID           string     `json:"traceId"`
		SpanID            string     `json:"spanId"`
		ParentSpanID      string     `json:"parentSpanId,omitempty"`
		Name              string     `json:"name"`
		Kind              int        `json:"kind"`
		StartTimeUnixNano string     `json:"startTimeUnixNano"`
		EndTimeUnixNano   string     `json:"endTimeUnixNano"`
		Attributes        []keyValue `json:"attributes,omitempty"`
		Status            status     `json:"status"`
	}
	exportRequest struct {
		ResourceSpans []resourceSpans `json:"resourceSpans"`
	}
	resourceSpans struct {
		Resource   resource     `json:"resource"`
		ScopeSpans []scopeSpans `json:"scopeSpans"`
	}
	resource struct {
		Attributes []keyValue `json:"attributes"`
	}
	scopeSpans struct {
		Scope scope        `json:"scope"`
		Spans []spanRecord `json:"spans"`
	}
	scope struct {
		Name    string `json:"name"`
		Version string `json:"version,omitempty"`
	}
)

func attributes(m map[string]string) []keyValue {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]keyValue, 0, len(keys))
	for _, k := range keys {
		out = append(out, keyValue{k, anyValue{m[k]}})
	}
	return out
}

// Tracer makes spans and exports them. A nil *Tracer is tracing switched off.
type Tracer struct {
	exp *exporter
}

// Config is the resolved exporter configuration.
type Config struct {
	Endpoint string            // full URL of the traces endpoint
	Headers  map[string]string // sent with every export
	Timeout  time.Duration
	Delay    time.Duration // batch delay
	Resource map[string]string
}

// ConfigFromEnv resolves the OTEL_* variables, with FUNC_CONTEXT's tracing
// section (fc, may be nil) as a fallback. It returns nil when tracing is off.
func ConfigFromEnv(serviceName string, fc *funccontext.Tracing) (*Config, error) {
	if strings.EqualFold(os.Getenv("OTEL_SDK_DISABLED"), "true") || os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return nil, nil
	}
	if v := os.Getenv("OTEL_TRACES_EXPORTER"); v != "" && v != "otlp" {
		return nil, fmt.Errorf("env OTEL_TRACES_EXPORTER=%q: Kiln's framework exports with otlp only (or none)", v)
	}
	c := &Config{Headers: map[string]string{}, Timeout: 10 * time.Second, Delay: 5 * time.Second,
		Resource: map[string]string{"service.name": serviceName, "telemetry.sdk.name": "kiln-functions-framework-go", "telemetry.sdk.language": "go"}}
	protocol := firstEnv("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")
	headers := firstEnv("OTEL_EXPORTER_OTLP_TRACES_HEADERS", "OTEL_EXPORTER_OTLP_HEADERS")
	if ep := os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"); ep != "" {
		c.Endpoint = ep
	} else if ep := os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT"); ep != "" {
		c.Endpoint = strings.TrimSuffix(ep, "/") + "/v1/traces"
	} else if fc != nil && fc.Enabled {
		if fc.Provider == nil || (fc.Provider.Name != "opentelemetry" && fc.Provider.Name != "") {
			name := ""
			if fc.Provider != nil {
				name = fc.Provider.Name
			}
			return nil, fmt.Errorf("FUNC_CONTEXT pluginsTracing.provider.name=%q: Kiln traces with OpenTelemetry only; set it to opentelemetry (SkyWalking's OAP accepts OTLP too)", name)
		}
		if fc.Provider.Exporter == nil || fc.Provider.Exporter.Endpoint == "" {
			return nil, fmt.Errorf("FUNC_CONTEXT pluginsTracing.provider.exporter.endpoint is empty: set it (e.g. http://otel-collector:4318) or set OTEL_EXPORTER_OTLP_ENDPOINT")
		}
		ex := fc.Provider.Exporter
		c.Endpoint = strings.TrimSuffix(ex.Endpoint, "/") + "/v1/traces"
		if protocol == "" {
			protocol = ex.Protocol
		}
		if headers == "" {
			headers = ex.Headers
		}
		for k, v := range fc.Tags {
			c.Resource[k] = v
		}
	} else {
		return nil, nil
	}
	if !strings.Contains(c.Endpoint, "://") {
		c.Endpoint = "http://" + c.Endpoint
	}
	if _, err := url.Parse(c.Endpoint); err != nil {
		return nil, fmt.Errorf("OTLP endpoint %q: %w", c.Endpoint, err)
	}
	if protocol != "" && protocol != "http/json" {
		return nil, fmt.Errorf("env OTEL_EXPORTER_OTLP_PROTOCOL=%q: Kiln's framework sends OTLP as http/json (a collector's port 4318 accepts it); set http/json or unset it", protocol)
	}
	for _, kv := range splitList(headers) {
		k, v, _ := strings.Cut(kv, "=")
		vv, _ := url.QueryUnescape(strings.TrimSpace(v))
		c.Headers[strings.TrimSpace(k)] = vv
	}
	if ms := os.Getenv("OTEL_EXPORTER_OTLP_TIMEOUT"); ms != "" {
		n, err := strconv.Atoi(ms)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("env OTEL_EXPORTER_OTLP_TIMEOUT=%q is not a positive number of milliseconds", ms)
		}
		c.Timeout = time.Duration(n) * time.Millisecond
	}
	if ms := os.Getenv("OTEL_BSP_SCHEDULE_DELAY"); ms != "" {
		n, err := strconv.Atoi(ms)
		if err != nil || n <= 0 {
			return nil, fmt.Errorf("env OTEL_BSP_SCHEDULE_DELAY=%q is not a positive number of milliseconds", ms)
		}
		c.Delay = time.Duration(n) * time.Millisecond
	}
	for _, kv := range splitList(os.Getenv("OTEL_RESOURCE_ATTRIBUTES")) {
		k, v, _ := strings.Cut(kv, "=")
		c.Resource[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	if n := os.Getenv("OTEL_SERVICE_NAME"); n != "" {
		c.Resource["service.name"] = n
	}
	return c, nil
}

func firstEnv(names ...string) string {
	for _, n := range names {
		if v := os.Getenv(n); v != "" {
			return v
		}
	}
	return ""
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if strings.TrimSpace(p) != "" {
			out = append(out, p)
		}
	}
	return out
}

// New starts a tracer that exports to c; nil c gives a nil (off) tracer.
func New(c *Config, version string) *Tracer {
	if c == nil {
		return nil
	}
	e := &exporter{cfg: c, version: version, client: &http.Client{Timeout: c.Timeout},
		kick: make(chan struct{}, 1), done: make(chan struct{}), finished: make(chan struct{})}
	go e.loop()
	return &Tracer{exp: e}
}

// Shutdown exports what is queued and stops the exporter.
func (t *Tracer) Shutdown(ctx context.Context) {
	if t == nil {
		return
	}
	t.exp.stopOnce.Do(func() { close(t.exp.done) })
	select {
	case <-t.exp.finished:
	case <-ctx.Done():
	}
}

// Flush exports what is queued now.
func (t *Tracer) Flush() {
	if t != nil {
		t.exp.flush()
	}
}

type exporter struct {
	cfg      *Config
	version  string
	client   *http.Client
	mu       sync.Mutex
	queue    []spanRecord
	kick     chan struct{}
	done     chan struct{}
	stopOnce sync.Once
	finished chan struct{} // closed when loop has exported the last batch
}

// maxQueue bounds memory when the collector is down: older spans are dropped.
const maxQueue = 8192

func (e *exporter) add(r spanRecord) {
	e.mu.Lock()
	if len(e.queue) >= maxQueue {
		e.queue = e.queue[1:]
	}
	e.queue = append(e.queue, r)
	full := len(e.queue) >= 512
	e.mu.Unlock()
	if full {
		select {
		case e.kick <- struct{}{}:
		default:
		}
	}
}

func (e *exporter) loop() {
	t := time.NewTicker(e.cfg.Delay)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-e.kick:
		case <-e.done:
			e.flush()
			close(e.finished)
			return
		}
		e.flush()
	}
}

func (e *exporter) flush() {
	e.mu.Lock()
	batch := e.queue
	e.queue = nil
	e.mu.Unlock()
	if len(batch) == 0 {
		return
	}
	req := exportRequest{ResourceSpans: []resourceSpans{{
		Resource:   resource{Attributes: attributes(e.cfg.Resource)},
		ScopeSpans: []scopeSpans{{Scope: scope{Name: "kiln.dev/functions-framework-go", Version: e.version}, Spans: batch}},
	}}}
	body, _ := json.Marshal(req)
	hr, err := http.NewRequest(http.MethodPost, e.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		log.Printf("tracing: %v", err)
		return
	}
	hr.Header.Set("Content-Type", "application/json")
	for k, v := range e.cfg.Headers {
		hr.Header.Set(k, v)
	}
	resp, err := e.client.Do(hr)
	if err != nil {
		log.Printf("tracing: exporting %d spans to %s: %v", len(batch), e.cfg.Endpoint, err)
		return
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		log.Printf("tracing: exporting %d spans to %s: HTTP %d", len(batch), e.cfg.Endpoint, resp.StatusCode)
	}
}
