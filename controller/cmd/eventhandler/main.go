package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"time"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
)

func main() {
	if err := run(); err != nil {
		log.Fatalf("eventhandler: %v", err)
	}
}

func run() error {
	cfg, err := handlerconfig.FromEnv()
	if err != nil {
		return err
	}
	port := envOr("PORT", "8080")
	dapr := "http://127.0.0.1:" + envOr("DAPR_HTTP_PORT", "3500")
	mux, err := newMux(cfg, &sender{client: &http.Client{}, dapr: dapr}, time.Now)
	if err != nil {
		return err
	}
	// Loopback only: daprd, in the same pod, is the handler's one client;
	// another pod must not post forged events around it.
	ln, err := net.Listen("tcp", "127.0.0.1:"+port)
	if err != nil {
		return fmt.Errorf("listening on $PORT %s: %w", port, err)
	}
	log.Printf("eventhandler: %s %s/%s on %s, daprd at %s", cfg.Kind, cfg.Namespace, cfg.Name, ln.Addr(), dapr)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// callerHeader is the header daprd adds to a service invocation (another
// app's, or through its own API): the id of the calling app. Deliveries of
// the handler's own bindings and subscriptions do not carry it.
const callerHeader = "dapr-caller-app-id"

// refuseInvocation answers 403 to every Dapr service invocation: any
// Dapr-enabled pod of the cluster may invoke any app id, and an invocation
// of a source's or input's route would make the handler publish a forged
// event on its namespace's topics or to its sinks.
func refuseInvocation(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if caller := r.Header.Get(callerHeader); caller != "" {
			http.Error(w, "Dapr service invocation (from app "+caller+") is refused: this event handler takes events only from its own bindings and subscriptions", http.StatusForbidden)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// newMux is the handler's HTTP API for its role (refusing service
// invocation).
func newMux(cfg *handlerconfig.Config, s *sender, now func() time.Time) (http.Handler, error) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	switch cfg.Kind {
	case handlerconfig.KindEventSource:
		sourceHandler(cfg, s, mux)
		mux.HandleFunc("GET /dapr/subscribe", func(w http.ResponseWriter, r *http.Request) {
			var subs []subscription
			for _, src := range cfg.Sources {
				if src.SubscribeTopic != "" {
					subs = append(subs, subscription{PubSub: src.SubscribePubSub, Topic: src.SubscribeTopic, Route: src.Route,
						Metadata: map[string]string{"rawPayload": "true"}})
				}
			}
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(subs)
		})
	case handlerconfig.KindTrigger:
		t, err := newTrigger(cfg, s, now)
		if err != nil {
			return nil, err
		}
		t.routes(mux)
	}
	return refuseInvocation(mux), nil
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
