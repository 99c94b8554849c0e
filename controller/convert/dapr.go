package convert

import (
	"fmt"

	"kiln.dev/kiln/controller/api/v1alpha1"
	"kiln.dev/kiln/controller/render"
)

// OpenFunction's Dapr mode annotations (spec.serving.annotations): whether a
// function gets Dapr at all, and whether its daprd is a sidecar in each pod
// or one shared "Dapr proxy" Deployment per function (standalone, the
// default since OpenFunction v0.8).
const (
	annEnableDapr      = "openfunction.io/enable-dapr"
	annDaprServiceMode = "openfunction.io/dapr-service-mode"
)

// daprAnnotation is one of them, as found.
type daprAnnotation struct{ key, value string }

// takeDaprAnnotations moves OpenFunction's Dapr mode annotations out of
// spec.serving.annotations, for daprNotes to answer once the Function is
// converted.
func (c *converter) takeDaprAnnotations(ann obj) {
	for _, k := range []string{annEnableDapr, annDaprServiceMode} {
		if v, ok := ann[k]; ok {
			c.dapr = append(c.dapr, daprAnnotation{k, fmt.Sprint(v)})
			delete(ann, k)
		}
	}
}

// daprWhy is when Kiln gives a function daprd.
const daprWhy = "Kiln injects daprd into a function's pods when it is async or has Dapr inputs, outputs, components or state stores"

// daprNotes says exactly what became of each Dapr mode annotation on f:
// Kiln decides Dapr from the spec (render.UsesDapr) and always runs daprd
// as a sidecar; enable-dapr "false" on a function that uses Dapr is kept as
// dapr.io/enabled "false", which the sidecar injector honours.
func (c *converter) daprNotes(f *v1alpha1.Function) {
	uses := f.Spec.Serving != nil && render.UsesDapr(f)
	for _, a := range c.dapr {
		field := "spec.serving.annotations[" + a.key + "]"
		switch {
		case a.key == annDaprServiceMode && a.value == "standalone":
			c.note("%s: standalone (one shared Dapr proxy per function, OpenFunction's default since v0.8) is not supported by Kiln, dropped: %s, as a sidecar in each pod, so a cold start also waits for daprd", field, daprWhy)
		case a.key == annDaprServiceMode && a.value == "sidecar":
			c.note("%s: sidecar is how Kiln runs daprd, dropped (%s)", field, daprWhy)
		case a.key == annDaprServiceMode:
			c.note("%s: %q is not an OpenFunction mode (standalone or sidecar), dropped: %s, as a sidecar", field, a.value, daprWhy)
		case a.value == "false" && uses:
			if f.Spec.Serving.Annotations == nil {
				f.Spec.Serving.Annotations = map[string]string{}
			}
			if _, set := f.Spec.Serving.Annotations["dapr.io/enabled"]; !set {
				f.Spec.Serving.Annotations["dapr.io/enabled"] = "false"
			}
			c.note("%s: \"false\" kept as spec.serving.annotations[dapr.io/enabled]: \"false\": no daprd is injected, so this function's Dapr inputs and outputs cannot work; delete it to get a daprd sidecar", field)
		case a.value == "false":
			c.note("%s: \"false\", dropped: this function gets no daprd (%s)", field, daprWhy)
		case a.value == "true" && uses:
			c.note("%s: \"true\", dropped: this function gets a daprd sidecar (%s)", field, daprWhy)
		case a.value == "true":
			c.note("%s: \"true\", dropped: this function gets no daprd (%s; OpenFunction would have run an idle one)", field, daprWhy)
		default:
			c.note("%s: %q is neither true nor false, dropped (%s)", field, a.value, daprWhy)
		}
	}
}

// skywalking drops a SkyWalking tracing block: Kiln's frameworks export
// OpenTelemetry (OTLP) only, and the Go framework refuses to start on a
// FUNC_CONTEXT that names skywalking.
func (c *converter) skywalking(v obj) {
	tr, ok := v["tracing"].(obj)
	if !ok {
		return
	}
	p, ok := tr["provider"].(obj)
	if !ok || p["name"] != "skywalking" {
		return
	}
	oap := ""
	if s, ok := p["oapServer"].(string); ok && s != "" {
		oap = " (oapServer " + s + ")"
	}
	delete(v, "tracing")
	c.note("spec.serving.tracing: provider skywalking%s dropped with the whole tracing block (its tags and baggage too): "+
		"Kiln's frameworks export OpenTelemetry (OTLP) only, and the Go framework refuses to start when FUNC_CONTEXT names skywalking; "+
		"to trace, set spec.serving.tracing {enabled: true, provider: {name: opentelemetry, exporter: {name: otlp, endpoint: <an OTLP/HTTP collector, e.g. http://otel-collector:4318>}}}", oap)
}
