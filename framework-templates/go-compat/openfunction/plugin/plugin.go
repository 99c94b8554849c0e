// Package plugin is OpenFunction's plugin interface. framework.RegisterPlugins
// turns each plugin into a Kiln hook of the same name, so FUNC_CONTEXT's
// prePlugins and postPlugins choose them; a fresh instance (Init) runs per
// invocation, and the plugins of one invocation see each other through the
// map they are handed. As in OpenFunction, a plugin's error is logged, never
// the invocation's failure. OpenFunction's built-in plugins (plugin-example,
// skywalking) are not provided: Kiln traces with OpenTelemetry itself.
package plugin

import ofctx "github.com/OpenFunction/functions-framework-go/context"

// Metadata names a plugin.
type Metadata interface {
	Name() string
	Version() string
}

// Plugin runs before and after a function.
type Plugin interface {
	Metadata
	Init() Plugin
	ExecPreHook(ctx ofctx.RuntimeContext, plugins map[string]Plugin) error
	ExecPostHook(ctx ofctx.RuntimeContext, plugins map[string]Plugin) error
	Get(fieldName string) (interface{}, bool)
}
