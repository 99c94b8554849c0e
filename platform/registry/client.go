package registry

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// ErrNotServed is Stop's error when no server runs.
var ErrNotServed = errors.New("the kiln registry is not running")

// call sends an authenticated request to a kiln endpoint at addr and
// decodes a JSON answer into out (when not nil).
func call(addr, tok, method, path string, q url.Values, out any) error {
	u := url.URL{Scheme: "http", Host: addr, Path: path, RawQuery: q.Encode()}
	req, err := http.NewRequest(method, u.String(), nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(tokenUser, tok)
	c := &http.Client{Transport: probe.Transport} // no timeout: gc takes as long as it takes
	resp, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("registry at %s: %s %s: %w", addr, method, path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 300 {
		var e struct {
			Errors []struct{ Code, Message string }
		}
		if json.Unmarshal(body, &e) == nil && len(e.Errors) > 0 {
			return fmt.Errorf("registry at %s: %s", addr, e.Errors[0].Message)
		}
		return fmt.Errorf("registry at %s: %s %s: %s", addr, method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(body, out)
}

func (r *Registry) call(method, path string, q url.Values, out any) error {
	tok, err := token(r.dir)
	if err != nil {
		return err
	}
	return call(r.Addr, tok, method, path, q, out)
}

// Status reports on the server r is attached to.
func (r *Registry) Status() (Status, error) {
	var st Status
	err := r.call(http.MethodGet, "/kiln/v1/status", nil, &st)
	return st, err
}

// GC removes what no tag needs (see GCReport), sparing anything younger
// than grace: a push in progress uploads blobs before its manifest.
func (r *Registry) GC(grace time.Duration) (GCReport, error) {
	var rep GCReport
	err := r.call(http.MethodPost, "/kiln/v1/gc", url.Values{"grace": {grace.String()}}, &rep)
	return rep, err
}

// Running reports the address where the registry in dir is served, if it is.
func Running(dir string) (string, bool) {
	tok, err := token(dir)
	if err != nil {
		return "", false
	}
	addr, ok, _ := find(dir, "", tok)
	return addr, ok
}

// Stop stops the server of the registry in dir and waits until it is gone.
// Without force it refuses while kiln processes are attached.
func Stop(dir string, force bool) error {
	tok, err := token(dir)
	if err != nil {
		return err
	}
	addr, ok, err := find(dir, "", tok)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNotServed
	}
	q := url.Values{}
	if force {
		q.Set("force", "1")
	}
	if err := call(addr, tok, http.MethodPost, "/kiln/v1/stop", q, nil); err != nil {
		return err
	}
	for deadline := time.Now().Add(startTimeout); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		release, free, err := flock(dir, serveLock, true, false)
		if err != nil {
			return err
		}
		if free {
			release()
			return nil
		}
	}
	return fmt.Errorf("registry %s: the server at %s did not stop within %s", dir, addr, startTimeout)
}
