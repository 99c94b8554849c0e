package publish

import (
	"crypto/tls"
	"encoding/base64"
)

func tlsConfig(ca *testCA) *tls.Config {
	return &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12}
}

func base64Std(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
