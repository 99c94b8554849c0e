package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"

	"kiln.dev/kiln/controller/api/events/handlerconfig"
)

// maxPayload bounds what one event may carry.
const maxPayload = 4 << 20

// sourceHandler serves an EventSource's routes: each payload becomes a
// CloudEvent of type dev.kiln.events.<kind>, subject <event>, published to
// the bus topic and posted to the sink. A failure answers 500 so daprd
// redelivers.
func sourceHandler(cfg *handlerconfig.Config, s *sender, mux *http.ServeMux) {
	origin := "events.kiln.dev/" + cfg.Namespace + "/eventsource/" + cfg.Name
	for _, src := range cfg.Sources {
		mux.HandleFunc("POST "+src.Route, func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
			if err != nil || len(body) > maxPayload {
				http.Error(w, fmt.Sprintf("source %s: reading the payload failed or it exceeds %d bytes", src.Event, maxPayload), http.StatusRequestEntityTooLarge)
				return
			}
			ctype := r.Header.Get("Content-Type")
			if strings.HasPrefix(ctype, contentTypeCE) {
				// A Redis Streams entry arrives wrapped by daprd (rawPayload):
				// the entry is its data, base64 encoded.
				in, err := parseEvent(body)
				if err != nil {
					http.Error(w, fmt.Sprintf("source %s: %v", src.Event, err), http.StatusBadRequest)
					return
				}
				if body, err = in.payload(); err != nil {
					http.Error(w, fmt.Sprintf("source %s: %v", src.Event, err), http.StatusBadRequest)
					return
				}
				ctype = in.str("datacontenttype")
			}
			e := newEvent(origin, "dev.kiln.events."+src.Kind, src.Event, body, ctype)
			if cfg.PubSub != "" {
				if err := s.publish(r.Context(), cfg.PubSub, src.Topic, e); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
			}
			if cfg.SinkURL != "" {
				if err := s.toSink(r.Context(), cfg.SinkURL, e); err != nil {
					http.Error(w, err.Error(), http.StatusInternalServerError)
					return
				}
			}
			w.WriteHeader(http.StatusOK)
		})
	}
}
