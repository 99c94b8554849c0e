// Command probe runs in a pod of the e2e cluster: it calls the apiserver
// through the `kubernetes` Service (KUBERNETES_SERVICE_HOST/PORT, the
// service account's token and CA) and prints "apiserver via <host>: <code>".
// It exits 0 only on a 200, proving pods reach the advertised address.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

const sa = "/var/run/secrets/kubernetes.io/serviceaccount/"

func main() {
	host, port := os.Getenv("KUBERNETES_SERVICE_HOST"), os.Getenv("KUBERNETES_SERVICE_PORT")
	tok, err := os.ReadFile(sa + "token")
	if err != nil {
		fail(err)
	}
	ca, err := os.ReadFile(sa + "ca.crt")
	if err != nil {
		fail(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(ca)
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "kubernetes.default.svc"}}}
	req, _ := http.NewRequest("GET", "https://"+net.JoinHostPort(host, port)+"/api", nil)
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(string(tok)))
	resp, err := c.Do(req)
	if err != nil {
		fail(err)
	}
	resp.Body.Close()
	fmt.Printf("apiserver via %s:%s: %d\n", host, port, resp.StatusCode)
	if resp.StatusCode != 200 {
		os.Exit(1)
	}
}

func fail(err error) {
	fmt.Println("probe:", err)
	os.Exit(1)
}
