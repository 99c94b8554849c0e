package publish

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// waitPath is Docker's container wait endpoint, with or without an API
// version prefix.
var waitPath = regexp.MustCompile(`^(/v[0-9.]+)?/containers/([^/]+)/wait$`)

// startWaitShim serves Docker's API on sock in front of Podman's service on
// upstream and answers POST /containers/ID/wait?condition=next-exit itself,
// from the container's state. Podman 4.3's compat wait for next-exit
// listens for the container's "died" event and misses it when the container
// exits before the listener is set up (containers/podman#28514, fixed
// upstream in 2026): pack then waited for ever on phase containers that had
// exited in a second (analyzer) or after the whole build (creator).
// Everything else, including attach's connection upgrade and streamed image
// pulls and loads, passes through unchanged.
func startWaitShim(t *testing.T, upstream, sock string) {
	t.Helper()
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", upstream)
	}
	target := &url.URL{Scheme: "http", Host: "podman"}
	proxy := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     &http.Transport{DialContext: dial},
		FlushInterval: -1,
	}
	client := &http.Client{Transport: &http.Transport{DialContext: dial}}
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if m := waitPath.FindStringSubmatch(r.URL.Path); m != nil && r.Method == http.MethodPost && r.URL.Query().Get("condition") == "next-exit" {
			waitNextExit(w, r, client, m[1], m[2])
			return
		}
		proxy.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
}

// containerState is what waitNextExit reads from a container's inspect.
type containerState struct {
	State struct {
		Status    string
		ExitCode  int
		StartedAt string
	}
}

// exitedAfterStart says whether s is a container that was started and has
// exited. pack waits before it starts a container and never restarts one,
// so the first exit after a start is the next exit it asked for.
func exitedAfterStart(s containerState) bool {
	started := s.State.StartedAt != "" && !strings.HasPrefix(s.State.StartedAt, "0001-")
	return started && (s.State.Status == "exited" || s.State.Status == "stopped")
}

// waitNextExit answers a wait as Docker does: headers at once (the Docker
// client sends its wait before it starts the container), the exit code when
// the container has run and exited. It polls the container's state every
// 20 ms until then, or until the client goes away.
func waitNextExit(w http.ResponseWriter, r *http.Request, c *http.Client, prefix, id string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.(http.Flusher).Flush()
	answer := func(code int, msg string) {
		body := map[string]any{"StatusCode": code}
		if msg != "" {
			body["Error"] = map[string]string{"Message": msg}
		}
		json.NewEncoder(w).Encode(body)
	}
	for {
		req, _ := http.NewRequestWithContext(r.Context(), http.MethodGet, "http://podman"+prefix+"/containers/"+id+"/json", nil)
		resp, err := c.Do(req)
		if err != nil {
			if r.Context().Err() == nil {
				answer(-1, fmt.Sprintf("inspecting container %s: %v", id, err))
			}
			return
		}
		var s containerState
		err = json.NewDecoder(resp.Body).Decode(&s)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || err != nil {
			answer(-1, fmt.Sprintf("inspecting container %s: %s %v", id, resp.Status, err))
			return
		}
		if exitedAfterStart(s) {
			answer(s.State.ExitCode, "")
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(20 * time.Millisecond): // polling the container's state, ended by the client
		}
	}
}

func TestExitedAfterStart(t *testing.T) {
	for _, tc := range []struct {
		status, started string
		want            bool
	}{
		{"created", "0001-01-01T00:00:00Z", false},
		{"created", "", false},
		{"running", "2026-11-30T11:20:00.1Z", false},
		{"exited", "2026-11-30T11:20:00.1Z", true},
		{"stopped", "2026-11-30T11:20:00.1Z", true},
		{"exited", "0001-01-01T00:00:00Z", false},
	} {
		var s containerState
		s.State.Status, s.State.StartedAt = tc.status, tc.started
		if got := exitedAfterStart(s); got != tc.want {
			t.Errorf("%s started %q: %v, want %v", tc.status, tc.started, got, tc.want)
		}
	}
}
