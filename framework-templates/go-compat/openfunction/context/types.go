package context

import (
	"net/http"
	"sync"
)

// Runtime is FUNC_CONTEXT's runtime.
type Runtime string

// ResourceType is the kind of a Dapr component: bindings or pubsub.
type ResourceType string

// Option is a Context option (RawData).
type Option string

// Names and values OpenFunction's framework defines.
const (
	FunctionContextEnvName                    = "FUNC_CONTEXT"
	PodNameEnvName                            = "POD_NAME"
	PodNamespaceEnvName                       = "POD_NAMESPACE"
	ModeEnvName                               = "CONTEXT_MODE"
	Async                        Runtime      = "Async"
	Knative                      Runtime      = "Knative"
	OpenFuncBinding              ResourceType = "bindings"
	OpenFuncTopic                ResourceType = "pubsub"
	Success                                   = 200
	InternalError                             = 500
	TracingProviderSkywalking                 = "skywalking"
	TracingProviderOpentelemetry              = "opentelemetry"
	KubernetesMode                            = "kubernetes"
	SelfHostMode                              = "self-host"
	RawData                                   = Option("RawData")
)

// SyncRequest is the HTTP exchange of a function called over HTTP.
type SyncRequest struct {
	ResponseWriter http.ResponseWriter `json:"responseWriter,omitempty"`
	Request        *http.Request       `json:"request,omitempty"`
}

// BindingEvent is what an input binding delivered (the fields of Dapr's
// common.BindingEvent).
type BindingEvent struct {
	// Data is the payload the input binding sent.
	Data []byte `json:"data"`
	// Metadata is the binding's metadata.
	Metadata map[string]string `json:"metadata,omitempty"`
}

// TopicEvent is a pub/sub message (the fields of Dapr's common.TopicEvent).
type TopicEvent struct {
	ID              string `json:"id"`
	SpecVersion     string `json:"specversion"`
	Type            string `json:"type"`
	Source          string `json:"source"`
	DataContentType string `json:"datacontenttype"`
	// Data is the message's data: parsed JSON (a map, slice, string,
	// number…) for JSON content, else its text.
	Data interface{} `json:"data"`
	// RawData is the data as it arrived.
	RawData []byte `json:"-"`
	// DataBase64 is kept for Dapr's type; Kiln leaves it empty.
	DataBase64 string `json:"data_base64,omitempty"`
	Subject    string `json:"subject"`
	Topic      string `json:"topic"`
	PubsubName string `json:"pubsubname"`
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

// FunctionOut is the Out every function returns. Over HTTP the code and data
// are the response, whatever the code (OpenFunction writes nothing for codes
// other than 200 and 500).
type FunctionOut struct {
	mu       sync.Mutex
	Code     int               `json:"code"`
	Data     []byte            `json:"data,omitempty"`
	Error    error             `json:"error,omitempty"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

// NewFunctionOut is an empty Out.
func NewFunctionOut() *FunctionOut { return &FunctionOut{} }

func (o *FunctionOut) GetOut() *FunctionOut           { return o }
func (o *FunctionOut) GetCode() int                   { return o.Code }
func (o *FunctionOut) GetData() []byte                { return o.Data }
func (o *FunctionOut) GetMetadata() map[string]string { return o.Metadata }

// WithCode sets the code and returns o.
func (o *FunctionOut) WithCode(code int) *FunctionOut {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Code = code
	return o
}

// WithData sets the data and returns o.
func (o *FunctionOut) WithData(data []byte) *FunctionOut {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.Data = data
	return o
}

// ContextOption switches a Context's options.
type ContextOption interface {
	// SetRawData(true) makes Send deliver the bytes as they are; Kiln always
	// does (it never wraps outputs for SkyWalking), so it changes nothing.
	SetRawData(condition bool) ContextOption
	IsRawDataEnabled() bool
}
