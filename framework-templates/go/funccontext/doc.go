// Package funccontext reads FUNC_CONTEXT, the JSON that tells an async
// (OpenFunction-signature) function its name, runtime, port, Dapr inputs and
// outputs, state stores, hooks and tracing. Both shapes OpenFunction's
// controller writes are accepted: v1beta1 (what Kiln's controller writes:
// "runtime", "inputs"/"outputs" maps, "prePlugins") and v1beta2
// ("triggers", "preHooks", "tracing").
//
// Parse reports every problem at once, one line each, naming the field as the
// user wrote it in that shape: inputs.<name>.componentType, outputs.<name>.uri,
// triggers.dapr[1].topic, triggers.http.port, pluginsTracing.tags.<key>.
// Two inputs consuming the same binding component or the same pub/sub topic
// are an error: Dapr delivers those events to one handler, so which input
// would see them is undefined (OpenFunction's Go framework panics or fails to
// subscribe). The package reads only the FUNC_CONTEXT env var.
package funccontext
