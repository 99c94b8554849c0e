//go:build go1.24

package dapr

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"time"
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
}

const appCallback = "/dapr.proto.runtime.v1.AppCallback/"

// ServeGRPC serves the AppCallback gRPC service on ln (APP_PROTOCOL=grpc).
func (a *App) ServeGRPC(ctx context.Context, ln net.Listener) error {
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

// topicRoute is where Dapr delivers a subscription over HTTP.
func topicRoute(s Subscription) string { return "/dapr/topics/" + s.PubsubName + "/" + s.Topic }

// ServeHTTP serves Dapr's HTTP app protocol on ln (APP_PROTOCOL=http): each
// input binding at /<component>, subscriptions listed at /dapr/subscribe.
func (a *App) ServeHTTP(ctx context.Context, ln net.Listener) error {
	mux := http.NewServeMux()
	// Method-less patterns: apps whose go.mod predates Go 1.22 get the old ServeMux.
	mux.HandleFunc("/dapr/subscribe", func(w http.ResponseWriter, r *http.Request) {
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
	})
	for _, s := range a.Subscriptions {
		mux.HandleFunc(topicRoute(s), func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPost {
				http.Error(w, "Dapr delivers messages with POST", http.StatusMethodNotAllowed)
				return
			}
			ev, err := topicEventFromHTTP(r, s)
			if err != nil {
				log.Printf("dropping malformed message on %s/%s: %v", s.PubsubName, s.Topic, err)
				writeTopicStatus(w, TopicDrop)
				return
			}
			writeTopicStatus(w, a.OnTopic(r.Context(), ev, withTraceParent(r.Header, ev)))
		})
	}
	for _, b := range a.Bindings {
		mux.HandleFunc("/"+b, func(w http.ResponseWriter, r *http.Request) {
			switch r.Method {
			case http.MethodOptions: // daprd probes each input binding at start-up
				w.WriteHeader(http.StatusOK)
				return
			case http.MethodPost, http.MethodPut:
			default:
				http.Error(w, "bindings deliver with POST", http.StatusMethodNotAllowed)
				return
			}
			data, err := io.ReadAll(r.Body)
			if err != nil {
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
		})
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 30 * time.Second}
	return serve(ctx, srv, ln)
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
func topicEventFromHTTP(r *http.Request, s Subscription) (*TopicEvent, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, err
	}
	ev := &TopicEvent{PubsubName: s.PubsubName, Topic: s.Topic}
	if !strings.Contains(r.Header.Get("Content-Type"), "cloudevents") {
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
