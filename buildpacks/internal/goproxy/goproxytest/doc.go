// Package goproxytest serves an in-process Go module proxy (httptest) that
// holds golang.org/toolchain zips, with a checksum database behind it at
// $GOPROXY/sumdb/<name>/ speaking the real protocol (x/mod/sumdb's server:
// signed tree heads, tiles, inclusion proofs). Tests of the toolchain
// download and its verification need no network, and can make the proxy
// lie: serve a tampered zip, leave a module out of the database, or sign the
// tree with a key the client does not trust.
package goproxytest
