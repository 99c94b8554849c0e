// Package hooks holds the pre- and post-hooks (OpenFunction "plugins") that
// run around every invocation of an OpenFunction-signature function.
//
// Hooks register a factory by name in an init func; FUNC_CONTEXT's
// prePlugins/postPlugins (v1beta1) or preHooks/postHooks (v1beta2), made from a
// Function's spec.serving.hooks, choose which run and in what order. A fresh
// hook value is made per invocation, so a hook may keep state between its pre
// and post call.
package hooks
