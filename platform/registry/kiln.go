package registry

import (
	"encoding/json"
	"net/http"
	"os"
	"strings"
	"time"
)

// Status is what GET /kiln/v1/status reports about a running registry.
type Status struct {
	PID  int    `json:"pid"`
	Addr string `json:"addr"`
	Dir  string `json:"dir"`
	// IdleChecks counts the idle exit's checks after the idle time had
	// passed; IdleBusy those that found kiln processes still attached.
	IdleChecks int64 `json:"idleChecks"`
	IdleBusy   int64 `json:"idleBusy"`
	// IdleExit is the idle time after which it exits (0: never).
	IdleExit time.Duration `json:"idleExit"`
}

const statusPath = "/kiln/v1/status"

func isKiln(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/kiln/") }

// kiln serves kiln's own endpoints (the token is already checked).
func (s *server) kiln(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == statusPath:
		writeJSON(w, http.StatusOK, Status{PID: os.Getpid(), Addr: s.addr, Dir: s.dir, IdleChecks: s.idleChecks.Load(), IdleBusy: s.idleBusy.Load(), IdleExit: s.idleExit})
	case r.Method == http.MethodPost && r.URL.Path == "/kiln/v1/gc":
		grace, err := time.ParseDuration(r.URL.Query().Get("grace"))
		if err != nil || grace < 0 {
			(&regError{http.StatusBadRequest, "BAD_REQUEST", "grace: want a duration like 1h"}).write(w)
			return
		}
		rep, err := s.gc(grace)
		if err != nil {
			regErrInternal(err).write(w)
			return
		}
		writeJSON(w, http.StatusOK, rep)
	case r.Method == http.MethodPost && r.URL.Path == "/kiln/v1/stop":
		if r.URL.Query().Get("force") == "" {
			release, free, err := flock(s.dir, clientsLock, true, false)
			if err != nil {
				regErrInternal(err).write(w)
				return
			}
			if !free {
				(&regError{http.StatusConflict, "DENIED", "kiln processes are using the registry; kiln registry stop --force stops it anyway"}).write(w)
				return
			}
			release()
		}
		w.WriteHeader(http.StatusAccepted)
		s.stop()
	default:
		(&regError{http.StatusNotFound, "NOT_FOUND", "unknown kiln endpoint " + r.Method + " " + r.URL.Path}).write(w)
	}
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
