package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"kiln.dev/kiln/controller/api/events/condition"
	"kiln.dev/kiln/controller/api/events/handlerconfig"
)

// trigger evaluates a Trigger's subscribers over each event.
type trigger struct {
	cfg    *handlerconfig.Config
	send   *sender
	window time.Duration
	now    func() time.Time
	conds  []*condition.Expr

	mu   sync.Mutex
	seen map[string]time.Time // input name → last event
}

func newTrigger(cfg *handlerconfig.Config, s *sender, now func() time.Time) (*trigger, error) {
	t := &trigger{cfg: cfg, send: s, now: now, window: 60 * time.Second, seen: map[string]time.Time{}}
	if cfg.InputWindow != "" {
		d, err := time.ParseDuration(cfg.InputWindow)
		if err != nil || d <= 0 {
			return nil, fmt.Errorf("%s: inputWindow %q: want a positive Go duration such as 60s", handlerconfig.Env, cfg.InputWindow)
		}
		t.window = d
	}
	names := make([]string, len(cfg.Inputs))
	for i, in := range cfg.Inputs {
		names[i] = in.Name
	}
	for i, sub := range cfg.Subscribers {
		c, err := condition.Parse(sub.Condition, names)
		if err != nil {
			return nil, fmt.Errorf("%s: subscribers[%d]: %w", handlerconfig.Env, i, err)
		}
		t.conds = append(t.conds, c)
	}
	return t, nil
}

// routes registers /dapr/subscribe and one route per input.
func (t *trigger) routes(mux *http.ServeMux) {
	mux.HandleFunc("GET /dapr/subscribe", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(t.subscriptions())
	})
	for _, in := range t.cfg.Inputs {
		mux.HandleFunc("POST "+in.Route, func(w http.ResponseWriter, r *http.Request) {
			body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
			if err != nil || len(body) > maxPayload {
				reply(w, "DROP", "payload unreadable or too large")
				return
			}
			e, err := parseEvent(body)
			if err != nil {
				reply(w, "DROP", err.Error())
				return
			}
			if err := t.handle(r, in.Name, e); err != nil {
				log.Printf("trigger %s: input %s: %v", t.cfg.Name, in.Name, err)
				reply(w, "RETRY", err.Error())
				return
			}
			reply(w, "SUCCESS", "")
		})
	}
}

type subscription struct {
	PubSub   string            `json:"pubsubname"`
	Topic    string            `json:"topic"`
	Route    string            `json:"route"`
	Metadata map[string]string `json:"metadata,omitempty"`
}

func (t *trigger) subscriptions() []subscription {
	var out []subscription
	for _, in := range t.cfg.Inputs {
		out = append(out, subscription{PubSub: t.cfg.PubSub, Topic: in.Topic, Route: in.Route})
	}
	return out
}

// handle marks input seen and delivers e to every subscriber whose
// condition holds. A failed delivery goes to the dead letter sink or topic;
// an error is returned only when that fails too (or there is none), so
// daprd redelivers.
func (t *trigger) handle(r *http.Request, input string, e *cloudEvent) error {
	now := t.now()
	t.mu.Lock()
	t.seen[input] = now
	active := map[string]bool{}
	for name, at := range t.seen {
		active[name] = now.Sub(at) <= t.window
	}
	t.mu.Unlock()
	env := condition.Env{Inputs: active, Attributes: e.attributes()}
	var errs []error
	for i, sub := range t.cfg.Subscribers {
		if !t.conds[i].Eval(env) {
			continue
		}
		if err := t.deliver(r, sub, e); err != nil {
			errs = append(errs, fmt.Errorf("subscribers[%d]: %w", i, err))
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("%v", errs)
	}
	return nil
}

func (t *trigger) deliver(r *http.Request, sub handlerconfig.Subscriber, e *cloudEvent) error {
	ctx := r.Context()
	if sub.SinkURL != "" {
		if err := t.send.toSink(ctx, sub.SinkURL, e); err != nil {
			if sub.DeadLetterSinkURL == "" {
				return err
			}
			if dlErr := t.send.toSink(ctx, sub.DeadLetterSinkURL, e); dlErr != nil {
				return fmt.Errorf("%w; dead letter: %w", err, dlErr)
			}
		}
	}
	if sub.Topic != "" {
		if err := t.send.publish(ctx, t.cfg.PubSub, sub.Topic, e); err != nil {
			if sub.DeadLetterTopic == "" {
				return err
			}
			if dlErr := t.send.publish(ctx, t.cfg.PubSub, sub.DeadLetterTopic, e); dlErr != nil {
				return fmt.Errorf("%w; dead letter: %w", err, dlErr)
			}
		}
	}
	return nil
}

// reply is daprd's subscription answer: SUCCESS, RETRY or DROP.
func reply(w http.ResponseWriter, status, msg string) {
	w.Header().Set("Content-Type", "application/json")
	if status == "RETRY" {
		w.WriteHeader(http.StatusInternalServerError)
	}
	_ = json.NewEncoder(w).Encode(map[string]string{"status": status, "message": msg})
}
