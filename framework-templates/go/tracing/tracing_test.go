package tracing

import (
	"strings"
	"testing"
	"time"

	"kiln.dev/functions-framework-go/funccontext"
)

func TestParseTraceParent(t *testing.T) {
	for _, tt := range []struct {
		in, err string
		sampled bool
	}{
		{in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", sampled: true},
		{in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"},
		{in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7", err: "is not version-traceid-parentid-flags"},
		{in: "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", err: "is not version-traceid-parentid-flags"},
		{in: "00-00000000000000000000000000000000-00f067aa0ba902b7-01", err: "all-zero id"},
		{in: "00-4bf92f3577b34da6a3ce929d0e0e473z-00f067aa0ba902b7-01", err: "trace-id"},
		{in: "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", err: "extra fields"},
	} {
		c, err := ParseTraceParent(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: err %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || c.Sampled != tt.sampled || c.TraceParent() != tt.in {
			t.Errorf("%s: %+v %v (round trip %s)", tt.in, c, err, c.TraceParent())
		}
	}
}

func TestConfigFromEnv(t *testing.T) {
	otel := &funccontext.Tracing{Enabled: true, Provider: &funccontext.Provider{Name: "opentelemetry",
		Exporter: &funccontext.Exporter{Endpoint: "collector:4318"}}, Tags: map[string]string{"layer": "faas"}}
	for _, tt := range []struct {
		name     string
		env      map[string]string
		fc       *funccontext.Tracing
		endpoint string // "" = tracing off
		err      string
	}{
		{name: "nothing set: off"},
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318/"}, endpoint: "http://c:4318/v1/traces"},
		{name: "traces endpoint wins", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://t:1/x"}, endpoint: "http://t:1/x"},
		{name: "exporter none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_TRACES_EXPORTER": "none"}},
		{name: "sdk disabled", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318", "OTEL_SDK_DISABLED": "true"}},
		{name: "grpc protocol", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}, err: "OTEL_EXPORTER_OTLP_PROTOCOL=\"grpc\""},
		{name: "zipkin", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: "otlp only"},
		{name: "bad timeout", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_TIMEOUT": "soon"}, err: "OTEL_EXPORTER_OTLP_TIMEOUT"},
		{name: "FUNC_CONTEXT fallback", fc: otel, endpoint: "http://collector:4318/v1/traces"},
		{name: "skywalking", fc: &funccontext.Tracing{Enabled: true, Provider: &funccontext.Provider{Name: "skywalking", OapServer: "oap:11800"}}, err: "provider.name=\"skywalking\""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, k := range []string{"OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_TRACES_EXPORTER", "OTEL_SDK_DISABLED",
				"OTEL_EXPORTER_OTLP_PROTOCOL", "OTEL_EXPORTER_OTLP_TIMEOUT"} {
				t.Setenv(k, tt.env[k])
			}
			c, err := ConfigFromEnv("fn", tt.fc)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.endpoint == "" && c != nil:
				t.Fatalf("tracing should be off, got %+v", c)
			case tt.endpoint != "" && (c == nil || c.Endpoint != tt.endpoint):
				t.Fatalf("config %+v, want endpoint %s", c, tt.endpoint)
			case c != nil && (c.Resource["service.name"] != "fn" || c.Delay != 5*time.Second):
				t.Fatalf("resource %v delay %s", c.Resource, c.Delay)
			}
		})
	}
}
