package adapt

import (
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"

	"github.com/cloudevents/sdk-go/v2/event"
	"kiln.dev/functions-framework-go/funccontext"
	kofctx "kiln.dev/functions-framework-go/ofctx"

	ofctx "github.com/OpenFunction/functions-framework-go/context"
	"github.com/OpenFunction/functions-framework-go/internal/cevent"
)

// Function is the OpenFunction signature.
type Function = func(ofctx.Context, []byte) (ofctx.Out, error)

// Kiln wraps fn as a Kiln OpenFunction-signature function.
func Kiln(fn Function) kofctx.Function {
	return func(kc kofctx.Context, in []byte) (kofctx.Out, error) {
		c := newInvocation(kc)
		data := in
		if kc.GetBindingEvent() != nil || kc.GetTopicEvent() != nil {
			s := settings()
			c.inner, data = ofctx.UnwrapInput(kc.GetName(), s.mode, s.namespace, kc.GetInputName(), in)
		}
		out, err := fn(c, data)
		return ToKiln(out), err
	}
}

// ToKiln turns an OpenFunction Out into Kiln's (nil stays nil).
func ToKiln(out ofctx.Out) kofctx.Out {
	if out == nil {
		return nil
	}
	o := out.GetOut()
	if o == nil {
		return nil
	}
	return &kofctx.FunctionOut{Code: o.Code, Data: o.Data, Error: o.Error, Metadata: o.Metadata}
}

// invocation is the OpenFunction Context of one call.
type invocation struct {
	k       kofctx.Context
	mu      sync.Mutex
	native  context.Context
	sync    *ofctx.SyncRequest
	binding *ofctx.BindingEvent
	topic   *ofctx.TopicEvent
	ce      *event.Event
	ceDone  bool
	inner   ofctx.InnerEvent
	raw     bool
}

func newInvocation(k kofctx.Context) *invocation {
	c := &invocation{k: k, sync: &ofctx.SyncRequest{}}
	if sr := k.GetSyncRequest(); sr != nil {
		c.sync = &ofctx.SyncRequest{ResponseWriter: sr.ResponseWriter, Request: sr.Request}
	}
	if b := k.GetBindingEvent(); b != nil {
		c.binding = &ofctx.BindingEvent{Data: b.Data, Metadata: b.Metadata}
	}
	if t := k.GetTopicEvent(); t != nil {
		c.topic = &ofctx.TopicEvent{ID: t.ID, SpecVersion: t.SpecVersion, Type: t.Type, Source: t.Source,
			DataContentType: t.DataContentType, Data: topicData(t.DataContentType, t.Data), RawData: t.Data,
			Topic: t.Topic, PubsubName: t.PubsubName}
	}
	return c
}

// topicData is what Dapr's go-sdk puts in TopicEvent.Data: parsed JSON for
// JSON content, text for text/*, else the bytes.
func topicData(contentType string, raw []byte) interface{} {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	switch {
	case ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json"):
		var v interface{}
		if json.Unmarshal(raw, &v) == nil {
			return v
		}
		return string(raw)
	case strings.HasPrefix(ct, "text/"):
		return string(raw)
	}
	return raw
}

func (c *invocation) GetNativeContext() context.Context {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.native != nil {
		return c.native
	}
	return c.k.GetNativeContext()
}

func (c *invocation) SetNativeContext(ctx context.Context) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.native = ctx
}

func (c *invocation) Send(output string, data []byte) ([]byte, error) { return c.k.Send(output, data) }
func (c *invocation) ReturnOnSuccess() ofctx.Out                      { return &ofctx.FunctionOut{Code: ofctx.Success} }
func (c *invocation) ReturnOnInternalError() ofctx.Out {
	return &ofctx.FunctionOut{Code: ofctx.InternalError}
}
func (c *invocation) GetSyncRequest() *ofctx.SyncRequest     { return c.sync }
func (c *invocation) GetBindingEvent() *ofctx.BindingEvent   { return c.binding }
func (c *invocation) GetTopicEvent() *ofctx.TopicEvent       { return c.topic }
func (c *invocation) GetInputName() string                   { return c.k.GetInputName() }
func (c *invocation) ContextOptions() ofctx.ContextOption    { return c }
func (c *invocation) SetRawData(on bool) ofctx.ContextOption { c.raw = on; return c }
func (c *invocation) IsRawDataEnabled() bool                 { return c.raw }

// GetCloudEvent is the CloudEvent received over HTTP, else (a plain HTTP
// call) an event carrying the body, as OpenFunction makes; nil for Dapr
// inputs.
func (c *invocation) GetCloudEvent() *event.Event {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.ceDone {
		return c.ce
	}
	c.ceDone = true
	if ke := c.k.GetCloudEvent(); ke != nil {
		if e, err := cevent.ToSDK(*ke); err == nil {
			c.ce = &e
		}
		return c.ce
	}
	if c.sync.Request != nil {
		e := event.New()
		c.ce = &e
	}
	return c.ce
}

// GetInnerEvent is the input as OpenFunction's envelope.
func (c *invocation) GetInnerEvent() ofctx.InnerEvent {
	if c.inner == nil {
		s := settings()
		var data []byte
		if ke := c.k.GetCloudEvent(); ke != nil {
			data = ke.Data
		}
		c.inner, _ = ofctx.UnwrapInput(c.k.GetName(), s.mode, s.namespace, c.k.GetInputName(), data)
	}
	return c.inner
}

// RuntimeContext, for plugins.

func (c *invocation) GetName() string { return c.k.GetName() }
func (c *invocation) GetMode() string { return settings().mode }
func (c *invocation) GetOut() ofctx.Out {
	if rc, ok := c.k.(kofctx.RuntimeContext); ok && rc.GetOut() != nil {
		o := rc.GetOut().GetOut()
		return &ofctx.FunctionOut{Code: o.Code, Data: o.Data, Error: o.Error, Metadata: o.Metadata}
	}
	return nil
}
func (c *invocation) GetError() error {
	if rc, ok := c.k.(kofctx.RuntimeContext); ok {
		return rc.GetError()
	}
	return nil
}
func (c *invocation) HasInputs() bool          { return len(settings().fc.Inputs) > 0 }
func (c *invocation) HasOutputs() bool         { return len(settings().fc.Outputs) > 0 }
func (c *invocation) GetPrePlugins() []string  { return settings().fc.PreHooks }
func (c *invocation) GetPostPlugins() []string { return settings().fc.PostHooks }
func (c *invocation) GetRuntime() ofctx.Runtime {
	if settings().fc.Runtime == funccontext.Async {
		return ofctx.Async
	}
	return ofctx.Knative
}
func (c *invocation) GetPort() string         { return settings().port }
func (c *invocation) GetHttpPattern() string  { return settings().pattern }
func (c *invocation) GetPodName() string      { return os.Getenv(ofctx.PodNameEnvName) }
func (c *invocation) GetPodNamespace() string { return settings().namespace }

// Runtime is the OpenFunction RuntimeContext plugins get for a Kiln hook's
// context; the plugins of one invocation share it (it is kept in the hook
// values). The function gets its own view of the same invocation.
func Runtime(kc kofctx.RuntimeContext) ofctx.RuntimeContext {
	if c, ok := kc.Values()[invocationKey].(*invocation); ok {
		return c
	}
	c := newInvocation(kc)
	kc.Values()[invocationKey] = c
	return c
}

const invocationKey = "openfunction.context"
