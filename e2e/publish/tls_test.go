package publish

import "crypto/tls"

func tlsConfig(ca *testCA) *tls.Config { return &tls.Config{RootCAs: ca.Pool, MinVersion: tls.VersionTLS12} }
