// Package tracing makes one OpenTelemetry span per invocation and per output
// call, propagates W3C trace context (the traceparent header) from incoming
// requests and events into outputs, and exports spans with OTLP over HTTP in
// its JSON encoding — without the OpenTelemetry SDK, so the framework keeps no
// dependencies.
//
// It is configured by the standard variables: OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_EXPORTER_OTLP_(TRACES_)HEADERS,
// OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL (http/json), OTEL_EXPORTER_OTLP_TIMEOUT,
// OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_EXPORTER=none,
// OTEL_SDK_DISABLED and OTEL_BSP_SCHEDULE_DELAY; FUNC_CONTEXT's tracing
// section (provider "opentelemetry" with an exporter) is the fallback.
package tracing
