package ofctx

import (
	"context"
	"net/http"

	"kiln.dev/functions-framework-go/cloudevents"
	"kiln.dev/functions-framework-go/dapr"
	"kiln.dev/functions-framework-go/routes"
)

// Function is the OpenFunction signature.
type Function = func(ctx Context, in []byte) (Out, error)

// Context is what a function gets for one invocation.
type Context interface {
	// GetNativeContext carries the deadline, cancellation and trace span.
	GetNativeContext() context.Context
	// GetName is the function's name (FUNC_CONTEXT name).
	GetName() string
	// GetInputName names the input that triggered this invocation, or "" over HTTP.
	GetInputName() string
	// GetBindingEvent is the triggering binding event, or nil.
	GetBindingEvent() *dapr.BindingEvent
	// GetTopicEvent is the triggering pub/sub message, or nil.
	GetTopicEvent() *dapr.TopicEvent
	// GetSyncRequest is the HTTP request when the function was called over
	// HTTP, or nil.
	GetSyncRequest() *SyncRequest
	// GetCloudEvent is the CloudEvent the function was called with over HTTP
	// (binary or structured mode; its data is the function's input), or nil.
	GetCloudEvent() *cloudevents.Event
	// GetOutputs lists the output names declared in FUNC_CONTEXT.
	GetOutputs() []string
	// Send delivers data to the named output (a Dapr output binding or a
	// pub/sub topic) and returns the binding's response data.
	Send(outputName string, data []byte) ([]byte, error)
	// ReturnOnSuccess is an Out with code 200.
	ReturnOnSuccess() Out
	// ReturnOnInternalError is an Out with code 500.
	ReturnOnInternalError() Out
}

// RuntimeContext is what hooks get: the invocation's Context plus its result.
type RuntimeContext interface {
	Context
	// GetOut is the function's result; nil in pre-hooks.
	GetOut() Out
	// GetError is the function's error; nil in pre-hooks.
	GetError() error
	// Values is shared by the hooks of one invocation.
	Values() map[string]any
}

// VarsFromCtx returns the path variables of the request the function serves
// (functions.WithPath), from the request's context or GetNativeContext(); nil
// when its path has none.
func VarsFromCtx(ctx context.Context) map[string]string { return routes.Vars(ctx) }

// SyncRequest is the HTTP exchange of a function called over HTTP. A function
// that writes to ResponseWriter itself owns the response; otherwise the
// framework writes the returned Out.
type SyncRequest struct {
	ResponseWriter http.ResponseWriter
	Request        *http.Request
}

// Out is a function's result.
type Out interface {
	GetOut() *FunctionOut
	GetCode() int
	GetData() []byte
	GetMetadata() map[string]string
	WithCode(code int) *FunctionOut
	WithData(data []byte) *FunctionOut
}

// FunctionOut is the Out every function returns. Over HTTP, Code becomes the
// status code and Data the body, for every code. For pub/sub, a code below 400
// acknowledges the message, Metadata["retry"]="true" or a 5xx code asks Dapr
// to redeliver it, other codes drop it. For bindings, a code of 400 or more
// fails the delivery.
type FunctionOut struct {
	Code     int
	Data     []byte
	Error    error
	Metadata map[string]string
}

func (o *FunctionOut) GetOut() *FunctionOut { return o }
func (o *FunctionOut) GetCode() int         { return o.Code }
func (o *FunctionOut) GetData() []byte      { return o.Data }
func (o *FunctionOut) GetMetadata() map[string]string {
	return o.Metadata
}

// WithCode sets the code and returns o.
func (o *FunctionOut) WithCode(code int) *FunctionOut { o.Code = code; return o }

// WithData sets the data and returns o.
func (o *FunctionOut) WithData(data []byte) *FunctionOut { o.Data = data; return o }

// Success is a 200 Out.
func Success() *FunctionOut { return &FunctionOut{Code: http.StatusOK} }

// InternalError is a 500 Out.
func InternalError() *FunctionOut { return &FunctionOut{Code: http.StatusInternalServerError} }
