//go:build go1.24

package dapr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"strings"

	"kiln.dev/functions-framework-go/internal/server"
)

// App is the application side of Dapr's callback protocol: the inputs it
// consumes and what to do with each event.
type App struct {
	// Bindings are the input binding components the app consumes.
	Bindings []string
	// Subscriptions are the pub/sub topics the app consumes.
	Subscriptions []Subscription
	// OnBinding handles one binding event; the returned data is the binding's
	// response, an error fails the delivery.
	OnBinding func(ctx context.Context, ev *BindingEvent, header http.Header) ([]byte, error)
	// OnTopic handles one pub/sub message and says whether to acknowledge,
	// retry or drop it.
	OnTopic func(ctx context.Context, ev *TopicEvent, header http.Header) TopicStatus
	// MaxBodyBytes bounds an event's body over HTTP (ServeHTTP); 0 means
	// 32 MiB. Over gRPC a message is bounded by MaxMessageBytes.
	MaxBodyBytes int64
}

// routes maps each input to the HTTP path daprd delivers it on
// ("/<binding>", "/dapr/topics/<pubsub>/<topic>"), and refuses two inputs on
// one path: the second would never see an event (and Go's ServeMux panics
// on it). The same check guards ServeGRPC, where the path is the event's
// binding name or pub/sub and topic.
func (a *App) routes() (bindings map[string]string, topics map[string]Subscription, err error) {
	bindings, topics = map[string]string{}, map[string]Subscription{}
	taken := map[string]string{"/dapr/subscribe": "the subscription list"}
	claim := func(path, what string) error {
		if prev, dup := taken[path]; dup {
			return fmt.Errorf("dapr app: %s and %s are both delivered on %s; declare each binding and pub/sub topic once", prev, what, path)
		}
		taken[path] = what
		return nil
	}
	for _, b := range a.Bindings {
		path := "/" + b
		if err := claim(path, fmt.Sprintf("input binding %q", b)); err != nil {
			return nil, nil, err
		}
		bindings[path] = b
	}
	for _, s := range a.Subscriptions {
		path := "/dapr/topics/" + s.PubsubName + "/" + s.Topic // topicRoute, as the server decodes it
		if err := claim(path, fmt.Sprintf("subscription %s/%s", s.PubsubName, s.Topic)); err != nil {
			return nil, nil, err
		}
		topics[path] = s
	}
	return bindings, topics, nil
}

func (a *App) maxBody() int64 {
	if a.MaxBodyBytes > 0 {
		return a.MaxBodyBytes
	}
	return server.DefaultMaxBodyBytes
}

const appCallback = "/dapr.proto.runtime.v1.AppCallback/"

// ServeGRPC serves the AppCallback gRPC service on ln (APP_PROTOCOL=grpc).
func (a *App) ServeGRPC(ctx context.Context, ln net.Listener) error {
	if _, _, err := a.routes(); err != nil {
		ln.Close()
		return err
	}
	return serveGRPC(ctx, ln, map[string]grpcMethod{
		appCallback + "ListInputBindings": func(context.Context, http.Header, []byte) ([]byte, error) {
			return encodeStrings(1, a.Bindings), nil
		},
		appCallback + "ListTopicSubscriptions": func(context.Context, http.Header, []byte) ([]byte, error) {
			return encodeSubscriptions(a.Subscriptions), nil
		},
		appCallback + "OnBindingEvent": func(ctx context.Context, h http.Header, req []byte) ([]byte, error) {
			ev, err := decodeBindingEvent(req)
			if err != nil {
				return nil, &Status{codeInvalidArg, err.Error()}
			}
			if !contains(a.Bindings, ev.Name) {
				return nil, &Status{codeUnimplemented, fmt.Sprintf("no input binding %q in FUNC_CONTEXT inputs", ev.Name)}
			}
			data, err := a.OnBinding(ctx, ev, h)
			if err != nil {
				return nil, &Status{codeInternal, err.Error()}
			}
			return encodeBindingEventResponse(data), nil
		},
		appCallback + "OnTopicEvent": func(ctx context.Context, h http.Header, req []byte) ([]byte, error) {
			ev, err := decodeTopicEvent(req)
			if err != nil {
				return nil, &Status{codeInvalidArg, err.Error()}
			}
			return encodeTopicEventResponse(a.OnTopic(ctx, ev, withTraceParent(h, ev))), nil
		},
	})
}

// topicRoute is where Dapr delivers a subscription over HTTP. A topic may
// hold characters a URL path cannot (MQTT's # and +, spaces), so each part is
// escaped; the server matches the decoded path.
func topicRoute(s Subscription) string {
	return "/dapr/topics/" + escapeRoute(s.PubsubName) + "/" + escapeRoute(s.Topic)
}

// escapeRoute escapes each /-separated segment of name for a URL path.
func escapeRoute(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// ServeHTTP serves Dapr's HTTP app protocol on ln (APP_PROTOCOL=http): each
// input binding at /<component>, subscriptions listed at /dapr/subscribe.
// Paths are matched exactly; a body over MaxBodyBytes is a 413 for a binding
// and dropped (with a log line) for a topic, which would otherwise be
// redelivered forever.
func (a *App) ServeHTTP(ctx context.Context, ln net.Listener) error {
	bindings, topics, err := a.routes()
	if err != nil {
		ln.Close()
		return err
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := r.URL.Path
		if s, ok := topics[path]; ok {
			a.serveTopic(w, r, s)
			return
		}
		if b, ok := bindings[path]; ok {
			a.serveBinding(w, r, b)
			return
		}
		if path == "/dapr/subscribe" {
			a.serveSubscribe(w)
			return
		}
		http.NotFound(w, r)
	})
	return server.Run(ctx, server.New(h, server.Defaults()), ln, server.ShutdownGrace)
}

func (a *App) serveSubscribe(w http.ResponseWriter) {
	type sub struct {
		PubsubName string `json:"pubsubname"`
		Topic      string `json:"topic"`
		Route      string `json:"route"`
	}
	subs := []sub{}
	for _, s := range a.Subscriptions {
		subs = append(subs, sub{s.PubsubName, s.Topic, topicRoute(s)})
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(subs)
}

func (a *App) serveTopic(w http.ResponseWriter, r *http.Request, s Subscription) {
	if r.Method != http.MethodPost {
		http.Error(w, "Dapr delivers messages with POST", http.StatusMethodNotAllowed)
		return
	}
	body, err := a.readBody(w, r)
	var ev *TopicEvent
	if err == nil {
		ev, err = topicEventFromHTTP(r.Header, body, s)
	}
	if err != nil {
		log.Printf("dropping message on %s/%s: %v", s.PubsubName, s.Topic, err)
		writeTopicStatus(w, TopicDrop)
		return
	}
	writeTopicStatus(w, a.OnTopic(r.Context(), ev, withTraceParent(r.Header, ev)))
}

func (a *App) serveBinding(w http.ResponseWriter, r *http.Request, b string) {
	switch r.Method {
	case http.MethodOptions: // daprd probes each input binding at start-up
		w.WriteHeader(http.StatusOK)
		return
	case http.MethodPost, http.MethodPut:
	default:
		http.Error(w, "bindings deliver with POST", http.StatusMethodNotAllowed)
		return
	}
	data, err := a.readBody(w, r)
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		server.TooLarge(w, mbe.Limit)
		return
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	md := map[string]string{}
	for k := range r.Header {
		md[k] = r.Header.Get(k)
	}
	out, err := a.OnBinding(r.Context(), &BindingEvent{Name: b, Data: data, Metadata: md}, r.Header)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Write(out)
}

// readBody reads an event's body, at most maxBody bytes.
func (a *App) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	max := a.maxBody()
	if r.ContentLength > max {
		return nil, &http.MaxBytesError{Limit: max}
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, max))
}

// withTraceParent adds the event's trace context to h when the request
// itself carried none (Dapr puts it in the CloudEvent).
func withTraceParent(h http.Header, ev *TopicEvent) http.Header {
	if ev.TraceParent == "" || h.Get("Traceparent") != "" {
		return h
	}
	h = h.Clone()
	h.Set("Traceparent", ev.TraceParent)
	return h
}

func writeTopicStatus(w http.ResponseWriter, s TopicStatus) {
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"status":%q}`, s.String())
}

// topicEventFromHTTP decodes the CloudEvent Dapr posts for a subscription.
func topicEventFromHTTP(h http.Header, body []byte, s Subscription) (*TopicEvent, error) {
	ev := &TopicEvent{PubsubName: s.PubsubName, Topic: s.Topic}
	if !strings.Contains(h.Get("Content-Type"), "cloudevents") {
		ev.Data = body // raw payload subscription
		return ev, nil
	}
	var ce struct {
		ID              string          `json:"id"`
		Source          string          `json:"source"`
		Type            string          `json:"type"`
		SpecVersion     string          `json:"specversion"`
		DataContentType string          `json:"datacontenttype"`
		Data            json.RawMessage `json:"data"`
		DataBase64      string          `json:"data_base64"`
		TraceParent     string          `json:"traceparent"`
	}
	if err := json.Unmarshal(body, &ce); err != nil {
		return nil, fmt.Errorf("CloudEvent JSON: %w", err)
	}
	ev.ID, ev.Source, ev.Type, ev.SpecVersion, ev.DataContentType, ev.TraceParent = ce.ID, ce.Source, ce.Type, ce.SpecVersion, ce.DataContentType, ce.TraceParent
	switch {
	case ce.DataBase64 != "":
		var err error
		if ev.Data, err = base64.StdEncoding.DecodeString(ce.DataBase64); err != nil {
			return nil, fmt.Errorf("CloudEvent data_base64: %w", err)
		}
	case len(ce.Data) > 0 && ce.Data[0] == '"' && !strings.Contains(ce.DataContentType, "json"):
		var s string
		if err := json.Unmarshal(ce.Data, &s); err != nil {
			return nil, err
		}
		ev.Data = []byte(s)
	default:
		ev.Data = ce.Data
	}
	return ev, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
