package convert

import (
	"reflect"

	"kiln.dev/kiln/controller/api/v1alpha1"
)

// The schemas convert prunes OpenFunction manifests with, by apiVersion.
var schemas = map[string]*field{
	"core.openfunction.io/v1beta2": v1beta2Schema(),
	"core.openfunction.io/v1beta1": v1beta1Schema(),
}

// kilnSchema is core.kiln.dev/v1alpha1 Function's structural schema.
func kilnSchema() *field {
	return schemaOf(reflect.TypeFor[v1alpha1.Function](), map[reflect.Type]*field{})
}

// v1beta2Schema is OpenFunction's core.openfunction.io/v1beta2 Function.
// Kiln's API mirrors v1beta2 field for field, except where Kiln narrows it;
// those v1beta2 fields are added back here, and fromV1beta2 notes what
// becomes of them.
func v1beta2Schema() *field {
	s := with(kilnSchema(), "status", open) // OpenFunction's status, never read
	for _, p := range []string{
		// Gateway API HTTPRouteRule and HTTPRouteMatch fields Kiln leaves to the controller.
		"spec.serving.triggers.http.route.rules[].filters",
		"spec.serving.triggers.http.route.rules[].backendRefs",
		"spec.serving.triggers.http.route.rules[].timeouts",
		"spec.serving.triggers.http.route.rules[].retry",
		"spec.serving.triggers.http.route.rules[].sessionPersistence",
		"spec.serving.triggers.http.route.rules[].name",
		"spec.serving.triggers.http.route.rules[].matches[].headers",
		"spec.serving.triggers.http.route.rules[].matches[].queryParams",
		"spec.serving.triggers.http.route.rules[].matches[].method",
		// Deprecated in v1beta2.
		"spec.serving.triggers.dapr[].inputName",
		"spec.serving.outputs[].dapr.outputName",
	} {
		s = with(s, p, open)
	}
	return s
}

// v1beta1Schema is OpenFunction's core.openfunction.io/v1beta1 Function:
// the parts it shares with v1beta2 (Kiln's) and the v1beta1 layout that
// fromV1beta1 maps (spec.port and spec.route, serving.runtime, inputs,
// outputs, states and KEDA triggers, build.params).
func v1beta1Schema() *field {
	v2 := v1beta2Schema()
	spec, serving := v2.props["spec"], v2.props["spec"].props["serving"]
	build := with(spec.props["build"], "params", mapOf(leaf))
	scale := serving.props["scaleOptions"]
	for _, p := range []string{"keda.scaledObject.minReplicaCount", "keda.scaledObject.maxReplicaCount", "keda.scaledObject.workloadType", "keda.scaledJob.maxReplicaCount"} {
		scale = with(scale, p, leaf)
	}
	io := map[string]*field{"name": leaf, "component": leaf, "topic": leaf, "params": mapOf(leaf)}
	out := map[string]*field{"operation": leaf}
	for k, v := range io {
		out[k] = v
	}
	v1serving := object(map[string]*field{
		"runtime":      leaf,
		"inputs":       listOf(object(io)),
		"outputs":      listOf(object(out)),
		"states":       mapOf(serving.props["states"].items.props["spec"]),
		"triggers":     listOf(with(serving.props["scaleOptions"].props["keda"].props["triggers"].items, "targetKind", leaf)),
		"scaleOptions": scale,
	})
	for _, k := range []string{"annotations", "labels", "params", "template", "bindings", "pubsub", "timeout", "tracing", "hooks"} {
		v1serving.props[k] = serving.props[k]
	}
	v1spec := object(map[string]*field{
		"port":    leaf,
		"route":   serving.props["triggers"].props["http"].props["route"],
		"build":   build,
		"serving": v1serving,
	})
	for _, k := range []string{"version", "image", "imageCredentials", "workloadRuntime"} {
		v1spec.props[k] = spec.props[k]
	}
	return with(v2, "spec", v1spec)
}
