package cluster

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// pkiValidity is how long the node's certificates last; Up regenerates
// the whole set when any is missing.
const pkiValidity = 365 * 24 * time.Hour

// ensurePKI writes, once, the node's CA, the apiserver's serving cert (for
// NodeIP, loopback and the `kubernetes` Service names), an admin client cert
// (system:masters, used by kubectl and every component), the service
// account signing key pair, and the aggregation layer's front proxy: its own
// CA and the client cert the apiserver presents to extension apiservers
// (KEDA's metrics apiserver), all ECDSA P-256 under <state>/pki.
//
// The front proxy's CA is not the node's CA: an extension apiserver trusts
// the X-Remote-User header of any client whose cert that CA signed, so a
// cert of the node's CA (every kubelet and admin has one) must not be one.
func ensurePKI(l Layout) error {
	names := []string{"ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "admin.crt", "admin.key", "sa.key", "sa.pub",
		frontProxyCA + ".crt", frontProxyCA + ".key", frontProxyClient + ".crt", frontProxyClient + ".key"}
	all := true
	for _, n := range names {
		if _, err := os.Stat(l.pki(n)); err != nil {
			all = false
		}
	}
	if all {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(l.pki("x")), 0o700); err != nil {
		return fmt.Errorf("cluster: pki dir: %w", err)
	}
	now := time.Now()
	caKey, err := newKey()
	if err != nil {
		return err
	}
	caTmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: "kiln-cluster-ca"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(pkiValidity),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, caCert, err := sign(caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return err
	}
	srvKey, err := newKey()
	if err != nil {
		return err
	}
	srvDER, _, err := sign(&x509.Certificate{
		Subject: pkix.Name{CommonName: "kube-apiserver"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(pkiValidity),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP(NodeIP), net.ParseIP("127.0.0.1"), net.ParseIP(kubeSvcIP)},
		DNSNames:    []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
	}, caCert, srvKey.Public(), caKey)
	if err != nil {
		return err
	}
	admKey, err := newKey()
	if err != nil {
		return err
	}
	admDER, _, err := sign(&x509.Certificate{
		Subject: pkix.Name{CommonName: "kiln-admin", Organization: []string{"system:masters"}}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(pkiValidity),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, caCert, admKey.Public(), caKey)
	if err != nil {
		return err
	}
	fpDER, fpCADER, fpKey, fpCAKey, err := frontProxyCerts(now)
	if err != nil {
		return err
	}
	saKey, err := newKey()
	if err != nil {
		return err
	}
	saPub, err := x509.MarshalPKIXPublicKey(saKey.Public())
	if err != nil {
		return fmt.Errorf("cluster: service account key: %w", err)
	}
	writes := []struct {
		name, typ string
		der       []byte
		key       *ecdsa.PrivateKey
	}{
		{"ca.crt", "CERTIFICATE", caDER, nil}, {"ca.key", "", nil, caKey},
		{"apiserver.crt", "CERTIFICATE", srvDER, nil}, {"apiserver.key", "", nil, srvKey},
		{"admin.crt", "CERTIFICATE", admDER, nil}, {"admin.key", "", nil, admKey},
		{"sa.pub", "PUBLIC KEY", saPub, nil}, {"sa.key", "", nil, saKey},
		{frontProxyCA + ".crt", "CERTIFICATE", fpCADER, nil}, {frontProxyCA + ".key", "", nil, fpCAKey},
		{frontProxyClient + ".crt", "CERTIFICATE", fpDER, nil}, {frontProxyClient + ".key", "", nil, fpKey},
	}
	for _, w := range writes {
		typ, der := w.typ, w.der
		if w.key != nil {
			if der, err = x509.MarshalECPrivateKey(w.key); err != nil {
				return fmt.Errorf("cluster: %s: %w", w.name, err)
			}
			typ = "EC PRIVATE KEY"
		}
		if err := os.WriteFile(l.pki(w.name), pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
			return fmt.Errorf("cluster: writing %s: %w", l.pki(w.name), err)
		}
	}
	return nil
}

// The aggregation layer's files under <state>/pki (without .crt/.key).
const (
	frontProxyCA     = "front-proxy-ca"
	frontProxyClient = "front-proxy-client"
	// frontProxyName is the client cert's CN, the one name
	// --requestheader-allowed-names accepts.
	frontProxyName = "front-proxy-client"
)

// frontProxyCerts makes the front proxy's CA and the client cert the
// apiserver proxies to extension apiservers with (client auth only).
func frontProxyCerts(now time.Time) (clientDER, caDER []byte, clientKey, caKey *ecdsa.PrivateKey, err error) {
	if caKey, err = newKey(); err != nil {
		return
	}
	caTmpl := &x509.Certificate{
		Subject: pkix.Name{CommonName: "kiln-front-proxy-ca"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(pkiValidity),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, caCert, err := sign(caTmpl, caTmpl, caKey.Public(), caKey)
	if err != nil {
		return
	}
	if clientKey, err = newKey(); err != nil {
		return
	}
	clientDER, _, err = sign(&x509.Certificate{
		Subject: pkix.Name{CommonName: frontProxyName}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(pkiValidity),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, caCert, clientKey.Public(), caKey)
	return
}

func newKey() (*ecdsa.PrivateKey, error) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("cluster: generating a key: %w", err)
	}
	return k, nil
}

func sign(tmpl, parent *x509.Certificate, pub crypto.PublicKey, key crypto.Signer) ([]byte, *x509.Certificate, error) {
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, err
	}
	tmpl.SerialNumber = serial
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, pub, key)
	if err != nil {
		return nil, nil, fmt.Errorf("cluster: signing %s: %w", tmpl.Subject.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	return der, c, err
}

// kubeconfig is the admin kubeconfig for server (https://host:port), with
// the CA and the client cert embedded.
func kubeconfig(l Layout, server string) (string, error) {
	var data [3]string
	for i, n := range []string{"ca.crt", "admin.crt", "admin.key"} {
		b, err := os.ReadFile(l.pki(n))
		if err != nil {
			return "", fmt.Errorf("cluster: kubeconfig: %w", err)
		}
		data[i] = base64.StdEncoding.EncodeToString(b)
	}
	if server == "" {
		return "", errors.New("cluster: kubeconfig: no server")
	}
	return fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: kiln
  cluster:
    server: %s
    certificate-authority-data: %s
users:
- name: kiln-admin
  user:
    client-certificate-data: %s
    client-key-data: %s
contexts:
- name: kiln
  context:
    cluster: kiln
    user: kiln-admin
current-context: kiln
`, server, data[0], data[1], data[2]), nil
}
