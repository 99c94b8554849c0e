// Package funccontext reads FUNC_CONTEXT, the JSON that tells an async
// (OpenFunction-signature) function its name, runtime, port, Dapr inputs and
// outputs, state stores, hooks and tracing. Both shapes OpenFunction's
// controller writes are accepted: v1beta1 (what Kiln's controller writes:
// "runtime", "inputs"/"outputs" maps, "prePlugins") and v1beta2
// ("triggers", "preHooks", "tracing"). Errors name the field at fault.
package funccontext
