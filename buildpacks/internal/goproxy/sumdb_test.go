package goproxy

import (
	"context"
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb"

	"kiln.dev/kiln/buildpacks/internal/goproxy/goproxytest"
)

func TestSumDB(t *testing.T) {
	p := goproxytest.Serve(t, goproxytest.Options{})
	for _, tt := range []struct{ in, name, key, err string }{
		{"", "sum.golang.org", SumDBKey, ""},
		{" sum.golang.org ", "sum.golang.org", SumDBKey, ""},
		{p.GOSUMDB, "sum.kiln.test", p.GOSUMDB, ""},
		{"off", "", "", ""},
		{"nokey", "", "", `GOSUMDB="nokey": only a verifier key (name+hash+key) or "off" is supported; unset GOSUMDB to use sum.golang.org`},
		{"a+b c", "", "", `GOSUMDB="a+b c": only a verifier key`},
		{"sum.x+bad+key", "", "", `GOSUMDB="sum.x+bad+key" is not a valid verifier key (malformed verifier id): copy the key your checksum database publishes, or unset GOSUMDB to use sum.golang.org`},
	} {
		name, key, off, err := SumDB(tt.in)
		if tt.err != "" {
			if err == nil || !strings.HasPrefix(err.Error(), tt.err) {
				t.Errorf("SumDB(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || name != tt.name || key != tt.key || off != (tt.in == "off") {
			t.Errorf("SumDB(%q) = %q %q %v %v", tt.in, name, key, off, err)
		}
	}
}

func TestLookupReturnsVerifiedLines(t *testing.T) {
	p := goproxytest.Serve(t, goproxytest.Options{}, "1.99.1", "1.99.2")
	c, _ := NewClient(p.URL)
	for _, v := range []string{"1.99.1", "1.99.2"} {
		lines, err := c.Lookup(context.Background(), p.GOSUMDB, ToolchainModule, "v0.0.1-go"+v+".linux-amd64")
		if err != nil {
			t.Fatal(err)
		}
		want := "golang.org/toolchain v0.0.1-go" + v + ".linux-amd64 " + p.GoodHash(v)
		if len(lines) != 1 || lines[0] != want {
			t.Fatalf("lines = %q, want first %q", lines, want)
		}
	}
	if lines, err := c.Lookup(context.Background(), "off", ToolchainModule, "v0.0.1-go1.99.1.linux-amd64"); lines != nil || err != nil {
		t.Fatalf("off: %q %v", lines, err)
	}
	if _, err := c.Lookup(context.Background(), "bad", ToolchainModule, "v1"); err == nil {
		t.Fatal("bad GOSUMDB accepted")
	}
}

func TestLookupErrorKinds(t *testing.T) {
	base := "http://p"
	for _, tt := range []struct {
		security string
		err      error
		want     string
	}{
		{"fork detected", sumdb.ErrSecurity, "SECURITY ERROR: checksum database db (through GOPROXY http://p) misbehaved looking up m@v1: fork detected security error: misbehaving server: do not build with this proxy; point GOPROXY at one you trust"},
		{"", sumdb.ErrSecurity, "SECURITY ERROR: checksum database db (through GOPROXY http://p) misbehaved looking up m@v1: security error: misbehaving server: do not build"},
		{"", errors.New("verifying tree note: note has no verifiable signatures"), "SECURITY ERROR: checksum database db (through GOPROXY http://p) could not be verified for m@v1: verifying tree note"},
		{"", errors.New("GET x: 404 Not Found: not found"), "checksum database db (through GOPROXY http://p) has no record of m@v1: GET x: 404 Not Found: not found: use a published version (see https://go.dev/dl)"},
		{"", errors.New("GET x: 410 Gone"), "checksum database db (through GOPROXY http://p) has no record of m@v1"},
		{"", errors.New("dial tcp: refused"), "checksum database db (through GOPROXY http://p): dial tcp: refused: check that the proxy serves /sumdb/db/ (set GOSUMDB=off only if you trust the proxy)"},
	} {
		got := lookupError("db", base, "m", "v1", tt.security, tt.err).Error()
		if !strings.HasPrefix(got, tt.want) {
			t.Errorf("lookupError(%q, %v) =\n%s\nwant prefix\n%s", tt.security, tt.err, got, tt.want)
		}
	}
}

func TestSumDBOpsCache(t *testing.T) {
	o := &sumdbOps{key: "k", mem: map[string][]byte{}}
	if b, _ := o.ReadConfig("key"); string(b) != "k" {
		t.Fatalf("key = %q", b)
	}
	if b, err := o.ReadConfig("db/latest"); err != nil || len(b) != 0 || b == nil {
		t.Fatalf("empty latest = %q %v", b, err)
	}
	o.WriteConfig("db/latest", nil, []byte("tree"))
	if b, _ := o.ReadConfig("db/latest"); string(b) != "tree" {
		t.Fatalf("latest = %q", b)
	}
	if _, err := o.ReadCache("tile"); err == nil {
		t.Fatal("empty cache hit")
	}
	o.WriteCache("tile", []byte("t"))
	if b, err := o.ReadCache("tile"); err != nil || string(b) != "t" {
		t.Fatalf("cache = %q %v", b, err)
	}
	o.SecurityError(" forked \n")
	o.SecurityError("again")
	if got := o.securityError(); got != "forked; again" {
		t.Fatalf("securityError = %q", got)
	}
}
