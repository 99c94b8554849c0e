package cluster

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"strings"
	"testing"
)

func readCert(t *testing.T, path string) *x509.Certificate {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatalf("%s: no PEM block", path)
	}
	c, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The front proxy's client cert is trusted by the front proxy's CA only:
// a cert of the node's CA (the admin's, a kubelet's) must not pass as the
// aggregator, nor the aggregator's as a user of the apiserver.
func TestPKIFrontProxy(t *testing.T) {
	l := Layout{Dir: t.TempDir()}
	if err := ensurePKI(l); err != nil {
		t.Fatal(err)
	}
	pool := func(ca string) *x509.CertPool {
		p := x509.NewCertPool()
		p.AddCert(readCert(t, l.pki(ca)))
		return p
	}
	client := x509.VerifyOptions{KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
	for _, c := range []struct {
		cert, ca string
		ok       bool
	}{
		{frontProxyClient + ".crt", frontProxyCA + ".crt", true},
		{frontProxyClient + ".crt", "ca.crt", false},
		{"admin.crt", frontProxyCA + ".crt", false},
		{"admin.crt", "ca.crt", true},
	} {
		o := client
		o.Roots = pool(c.ca)
		_, err := readCert(t, l.pki(c.cert)).Verify(o)
		if (err == nil) != c.ok {
			t.Errorf("%s verified by %s: %v, want ok=%v", c.cert, c.ca, err, c.ok)
		}
	}
	fp := readCert(t, l.pki(frontProxyClient+".crt"))
	if fp.Subject.CommonName != frontProxyName || len(fp.Subject.Organization) != 0 {
		t.Errorf("front proxy client subject %v: want CN %s and no groups", fp.Subject, frontProxyName)
	}
	if _, err := fp.Verify(x509.VerifyOptions{Roots: pool(frontProxyCA + ".crt"), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}); err == nil {
		t.Error("the front proxy's client cert also serves TLS")
	}

	// An older state dir without the front proxy's files gets a new set.
	os.Remove(l.pki(frontProxyCA + ".key"))
	old := readCert(t, l.pki("ca.crt")).SerialNumber
	if err := ensurePKI(l); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.pki(frontProxyCA + ".key")); err != nil {
		t.Fatal(err)
	}
	if readCert(t, l.pki("ca.crt")).SerialNumber.Cmp(old) == 0 {
		t.Error("a partial set was kept: the front proxy's CA was remade alone")
	}
}

// The apiserver gets the aggregation layer's flags, naming the files
// ensurePKI writes and the CN of the front proxy's client cert.
func TestAggregationFlags(t *testing.T) {
	l := Layout{Dir: "/s"}
	var args []string
	for _, c := range components(l, &state{}) {
		if c.name == "kube-apiserver" {
			args = c.args
		}
	}
	flag := map[string]string{}
	for _, a := range args {
		k, v, _ := strings.Cut(a, "=")
		flag[k] = v
	}
	for _, c := range []struct{ flag, want string }{
		{"--requestheader-client-ca-file", "/s/pki/front-proxy-ca.crt"},
		{"--requestheader-allowed-names", frontProxyName},
		{"--requestheader-extra-headers-prefix", "X-Remote-Extra-"},
		{"--requestheader-group-headers", "X-Remote-Group"},
		{"--requestheader-username-headers", "X-Remote-User"},
		{"--proxy-client-cert-file", "/s/pki/front-proxy-client.crt"},
		{"--proxy-client-key-file", "/s/pki/front-proxy-client.key"},
		{"--client-ca-file", "/s/pki/ca.crt"}, // unchanged: users still come from the node's CA
	} {
		if got, ok := flag[c.flag]; !ok || got != c.want {
			t.Errorf("kube-apiserver %s = %q (set %v), want %q", c.flag, got, ok, c.want)
		}
	}
	if _, ok := flag["--enable-aggregator-routing"]; ok {
		t.Error("--enable-aggregator-routing set: the apiserver reaches Service IPs through kube-proxy here")
	}
}
