package context

import (
	gocontext "context"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"kiln.dev/functions-framework-go/routes"
)

// NativeContext carries the Go context of an invocation.
type NativeContext interface {
	// GetNativeContext returns the invocation's context.Context: its
	// deadline, cancellation, trace span and path variables.
	GetNativeContext() gocontext.Context
	// SetNativeContext replaces it.
	SetNativeContext(gocontext.Context)
}

// Context is what an OpenFunction-signature function gets.
type Context interface {
	NativeContext
	// Send delivers data to the FUNC_CONTEXT output named outputName (an
	// output binding, whose response it returns, or a pub/sub topic).
	Send(outputName string, data []byte) ([]byte, error)
	// ReturnOnSuccess is an Out with code 200.
	ReturnOnSuccess() Out
	// ReturnOnInternalError is an Out with code 500.
	ReturnOnInternalError() Out
	// GetSyncRequest is the HTTP exchange when called over HTTP; its
	// Request is nil otherwise.
	GetSyncRequest() *SyncRequest
	// GetBindingEvent is the binding event that triggered the call, or nil.
	GetBindingEvent() *BindingEvent
	// GetTopicEvent is the pub/sub message that triggered the call, or nil.
	GetTopicEvent() *TopicEvent
	// GetCloudEvent is the CloudEvent of the call: the one received over
	// HTTP (binary or structured), else one made around the input's data.
	GetCloudEvent() *cloudevents.Event
	// GetInnerEvent is the input seen as OpenFunction's inner event.
	GetInnerEvent() InnerEvent
	// ContextOptions switches options (RawData).
	ContextOptions() ContextOption
	// GetInputName names the FUNC_CONTEXT input of the event; "" over HTTP.
	GetInputName() string
}

// RuntimeContext is what plugins get: the Context plus what FUNC_CONTEXT
// says and the invocation's result.
type RuntimeContext interface {
	Context
	// GetName is the function's name (FUNC_CONTEXT name).
	GetName() string
	// GetMode is CONTEXT_MODE: kubernetes (the default) or self-host.
	GetMode() string
	// GetOut is the function's result; nil before it ran.
	GetOut() Out
	// GetError is the function's error.
	GetError() error
	// HasInputs and HasOutputs say whether FUNC_CONTEXT declares any.
	HasInputs() bool
	HasOutputs() bool
	// GetPrePlugins and GetPostPlugins are FUNC_CONTEXT's plugin lists.
	GetPrePlugins() []string
	GetPostPlugins() []string
	// GetRuntime is FUNC_CONTEXT's runtime (Knative or Async).
	GetRuntime() Runtime
	// GetPort is the port the function listens on.
	GetPort() string
	// GetHttpPattern is FUNC_CONTEXT's httpPattern, "/" by default.
	GetHttpPattern() string
	// GetPodName and GetPodNamespace are POD_NAME and POD_NAMESPACE.
	GetPodName() string
	GetPodNamespace() string
}

// VarsFromCtx returns the path variables of the request (WithFunctionPath
// "/{name}"), from the request's context or GetNativeContext().
func VarsFromCtx(ctx gocontext.Context) map[string]string { return routes.Vars(ctx) }

// CtxWithVars returns ctx carrying vars, as VarsFromCtx reads them.
func CtxWithVars(ctx gocontext.Context, vars map[string]string) gocontext.Context {
	return routes.WithVars(ctx, vars)
}

// URLParamFromCtx returns one path variable (go-chi's name for it).
func URLParamFromCtx(ctx gocontext.Context, key string) string { return routes.Vars(ctx)[key] }

// URLParamsFromCtx returns every path variable; an empty map when none.
func URLParamsFromCtx(ctx gocontext.Context) map[string]string {
	out := map[string]string{}
	for k, v := range routes.Vars(ctx) {
		out[k] = v
	}
	return out
}
