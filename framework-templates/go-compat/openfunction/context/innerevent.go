package context

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"sync"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
)

// InnerEvent is OpenFunction's envelope around a function's data: a
// CloudEvent whose data is {"metadata": {...}, "userData": <bytes>}.
// OpenFunction wraps outputs in it when SkyWalking tracing is on; Kiln never
// wraps outputs, but unwraps such an envelope arriving at an input, as
// OpenFunction does, so the function gets the user data.
type InnerEvent interface {
	SetMetadata(key string, value string)
	GetMetadata() map[string]string
	SetUserData(data interface{})
	GetUserData() []byte
	GetCloudEvent() cloudevents.Event
	MergeMetadata(event InnerEvent)
	Clone(event *cloudevents.Event)
	GetCloudEventJSON() []byte
	SetSubject(s string)
}

const innerEventTypePrefix = "io.openfunction.function"

type innerEvent struct {
	mu    sync.Mutex
	event *cloudevents.Event
	data  innerEventData
}

type innerEventData struct {
	Metadata map[string]string `json:"metadata,omitempty"`
	UserData []byte            `json:"userData,omitempty"`
}

// NewInnerEvent makes an empty envelope whose source and type name the
// function (and its namespace in kubernetes mode).
func NewInnerEvent(ctx RuntimeContext) InnerEvent {
	name, mode, ns := "", KubernetesMode, ""
	if ctx != nil {
		name, mode, ns = ctx.GetName(), ctx.GetMode(), ctx.GetPodNamespace()
	}
	return newInnerEvent(name, mode, ns)
}

func newInnerEvent(name, mode, namespace string) *innerEvent {
	e := cloudevents.New()
	source, typ := name, innerEventTypePrefix+"."+name
	if mode == KubernetesMode && namespace != "" {
		source, typ = namespace+"/"+name, innerEventTypePrefix+"."+namespace+"."+name
	}
	e.SetID(newID())
	e.SetTime(time.Now())
	e.SetSource(source)
	e.SetType(typ)
	e.SetDataContentType("application/json")
	return &innerEvent{event: &e, data: innerEventData{Metadata: map[string]string{}}}
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return fmt.Sprintf("%d-%d", time.Now().UnixNano(), os.Getpid())
	}
	return hex.EncodeToString(b[:])
}

func (ie *innerEvent) SetMetadata(key, value string) {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	ie.data.Metadata[key] = value
	ie.save()
}

func (ie *innerEvent) GetMetadata() map[string]string {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	return ie.data.Metadata
}

func (ie *innerEvent) SetUserData(data interface{}) {
	raw := ConvertUserDataToBytes(data)
	ie.mu.Lock()
	defer ie.mu.Unlock()
	ie.data.UserData = raw
	ie.save()
}

func (ie *innerEvent) GetUserData() []byte {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	return ie.data.UserData
}

func (ie *innerEvent) SetSubject(s string) {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	ie.event.SetSubject(s)
}

func (ie *innerEvent) GetCloudEvent() cloudevents.Event {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	return *ie.event
}

func (ie *innerEvent) GetCloudEventJSON() []byte {
	b, err := json.Marshal(ie.GetCloudEvent())
	if err != nil {
		return nil
	}
	return b
}

func (ie *innerEvent) MergeMetadata(other InnerEvent) {
	if other == nil {
		return
	}
	md := other.GetMetadata()
	ie.mu.Lock()
	defer ie.mu.Unlock()
	for k, v := range md {
		ie.data.Metadata[k] = v
	}
	ie.save()
}

// Clone takes event as the envelope: its data is the inner data when it is
// {"metadata", "userData"}, else the user data itself.
func (ie *innerEvent) Clone(event *cloudevents.Event) {
	ie.mu.Lock()
	defer ie.mu.Unlock()
	ie.event = event
	d := event.Data()
	if d == nil {
		return
	}
	var inner innerEventData
	if isInner(d) && json.Unmarshal(d, &inner) == nil {
		if inner.Metadata != nil {
			ie.data.Metadata = inner.Metadata
		}
		ie.data.UserData = inner.UserData
		return
	}
	if event.DataBase64 {
		if raw, err := base64.StdEncoding.DecodeString(string(d)); err == nil {
			ie.data.UserData = raw
			return
		}
	}
	ie.data.UserData = d
}

// isInner reports whether data looks like an envelope's data.
func isInner(data []byte) bool {
	return bytes.Contains(data, []byte(`"userData"`)) || bytes.Contains(data, []byte(`"metadata"`))
}

// save writes the inner data into the envelope's CloudEvent.
func (ie *innerEvent) save() {
	if len(ie.data.Metadata) > 0 && ie.data.UserData == nil {
		return
	}
	b, err := json.Marshal(ie.data)
	if err == nil {
		ie.event.SetData("application/json", b)
	}
}

// ConvertUserDataToBytes returns []byte and string data as bytes, anything
// else as JSON (nil when it cannot be encoded).
func ConvertUserDataToBytes(data interface{}) []byte {
	switch d := data.(type) {
	case []byte:
		return d
	case string:
		return []byte(d)
	}
	b, err := json.Marshal(data)
	if err != nil {
		return nil
	}
	return b
}

// UnwrapInput is what OpenFunction does to an input's data before the
// function sees it: a CloudEvent in structured JSON (an envelope another
// OpenFunction function sent) is opened, and its user data is the input;
// other data is the input as it is. It returns the envelope and the input.
func UnwrapInput(name, mode, namespace, inputName string, data []byte) (InnerEvent, []byte) {
	ie := newInnerEvent(name, mode, namespace)
	if len(data) > 0 && data[0] == '{' && bytes.Contains(data, []byte(`"specversion"`)) {
		var ce cloudevents.Event
		if json.Unmarshal(data, &ce) == nil {
			ie.Clone(&ce)
			return ie, ie.data.UserData
		}
	}
	ie.event.SetSubject(inputName)
	if data != nil {
		ie.data.UserData = data
		ie.save()
	}
	return ie, data
}
