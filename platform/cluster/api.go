package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"
)

// api is a minimal admin client of the node's apiserver: Up only needs a
// few GETs, not client-go.
type api struct {
	base string
	c    *http.Client
}

func newAPI(l Layout, server string) (*api, error) {
	caPEM, err := os.ReadFile(l.pki("ca.crt"))
	if err != nil {
		return nil, fmt.Errorf("cluster: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("cluster: %s holds no certificate", l.pki("ca.crt"))
	}
	cert, err := tls.LoadX509KeyPair(l.pki("admin.crt"), l.pki("admin.key"))
	if err != nil {
		return nil, fmt.Errorf("cluster: admin client cert: %w", err)
	}
	return &api{base: server, c: &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{cert}},
	}}}, nil
}

// get fetches path; out (if not nil) gets the decoded JSON body of a 200.
func (a *api) get(path string, out any) (int, error) {
	resp, err := a.c.Get(a.base + path)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return resp.StatusCode, err
	}
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, fmt.Errorf("GET %s: %s: %.200s", path, resp.Status, b)
	}
	if out != nil {
		return resp.StatusCode, json.Unmarshal(b, out)
	}
	return resp.StatusCode, nil
}

func (a *api) ready() (bool, error) {
	_, err := a.get("/readyz", nil)
	return err == nil, err
}

// nodeReady: the node object reports Ready=True.
func (a *api) nodeReady() (bool, error) {
	var n struct {
		Status struct {
			Conditions []struct{ Type, Status, Message string } `json:"conditions"`
		} `json:"status"`
	}
	if _, err := a.get("/api/v1/nodes/"+nodeName, &n); err != nil {
		return false, err
	}
	for _, c := range n.Status.Conditions {
		if c.Type == "Ready" {
			if c.Status == "True" {
				return true, nil
			}
			return false, fmt.Errorf("node %s not Ready: %s", nodeName, c.Message)
		}
	}
	return false, fmt.Errorf("node %s has no Ready condition yet", nodeName)
}

// exists: GET path answers 200.
func (a *api) exists(path string) (bool, error) {
	_, err := a.get(path, nil)
	return err == nil, err
}

func httpClient() *http.Client { return &http.Client{Timeout: 3 * time.Second} }
