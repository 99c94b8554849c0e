package goproxy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"

	"golang.org/x/mod/sumdb"
	"golang.org/x/mod/sumdb/note"
)

// SumDBKey is the public key of sum.golang.org (the go command's default GOSUMDB).
const SumDBKey = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"

// SumDB resolves GOSUMDB into a name and verifier key. "off" disables
// verification (the caller must say so loudly).
func SumDB(gosumdb string) (name, key string, off bool, err error) {
	switch strings.TrimSpace(gosumdb) {
	case "", "sum.golang.org":
		return "sum.golang.org", SumDBKey, false, nil
	case "off":
		return "", "", true, nil
	}
	fields := strings.Fields(gosumdb)
	if len(fields) != 1 || !strings.Contains(fields[0], "+") {
		return "", "", false, fmt.Errorf("GOSUMDB=%q: only a verifier key (name+hash+key) or \"off\" is supported; unset GOSUMDB to use sum.golang.org", gosumdb)
	}
	v, err := note.NewVerifier(fields[0])
	if err != nil {
		return "", "", false, fmt.Errorf("GOSUMDB=%q is not a valid verifier key (%v): copy the key your checksum database publishes, or unset GOSUMDB to use sum.golang.org", gosumdb, err)
	}
	return v.Name(), fields[0], false, nil
}

// Lookup returns the go.sum lines the checksum database holds for mod@version,
// fully verified (signed tree head and inclusion proof) by x/mod/sumdb.
func (c *Client) Lookup(ctx context.Context, gosumdb, mod, version string) ([]string, error) {
	name, key, off, err := SumDB(gosumdb)
	if err != nil {
		return nil, err
	}
	if off {
		return nil, nil
	}
	ops := &sumdbOps{ctx: ctx, c: c, name: name, key: key, mem: map[string][]byte{}}
	// The go command asks the same before proxying a database through GOPROXY.
	if _, err := ops.ReadRemote("/supported"); err != nil {
		return nil, fmt.Errorf("GOPROXY %s does not serve the checksum database %s (%v): use a proxy that does, or the GOSUMDB key of the database it serves; set GOSUMDB=off only if you trust the proxy", c.Base, name, err)
	}
	client := sumdb.NewClient(ops)
	lines, err := client.Lookup(mod, version)
	if err != nil {
		return nil, lookupError(name, c.Base, mod, version, ops.securityError(), err)
	}
	return lines, nil
}

// lookupError says what a failed lookup means: a database that misbehaves
// (bad signature, inconsistent tree, unauthenticated record) is a security
// error, never a reason to turn verification off; a missing record means the
// version was never published; anything else is the network's.
func lookupError(name, base, mod, version, security string, err error) error {
	msg := err.Error()
	switch {
	case security != "" || errors.Is(err, sumdb.ErrSecurity):
		return fmt.Errorf("SECURITY ERROR: checksum database %s (through GOPROXY %s) misbehaved looking up %s@%s: %s: do not build with this proxy; point GOPROXY at one you trust", name, base, mod, version, strings.TrimSpace(security+" "+msg))
	case strings.Contains(msg, "verifying") || strings.Contains(msg, "signature") || strings.Contains(msg, "authenticate") || strings.Contains(msg, "malformed"):
		return fmt.Errorf("SECURITY ERROR: checksum database %s (through GOPROXY %s) could not be verified for %s@%s: %w: the proxy or GOSUMDB's key is wrong; point GOPROXY at a proxy you trust and check GOSUMDB", name, base, mod, version, err)
	case strings.Contains(msg, "404") || strings.Contains(msg, "410") || strings.Contains(msg, "not found"):
		return fmt.Errorf("checksum database %s (through GOPROXY %s) has no record of %s@%s: %w: use a published version (see https://go.dev/dl)", name, base, mod, version, err)
	}
	return fmt.Errorf("checksum database %s (through GOPROXY %s): %w: check that the proxy serves /sumdb/%s/ (set GOSUMDB=off only if you trust the proxy)", name, base, err, name)
}

// sumdbOps implements sumdb.ClientOps over the proxy, with an in-memory cache.
type sumdbOps struct {
	ctx  context.Context
	c    *Client
	name string
	key  string
	mu   sync.Mutex
	mem  map[string][]byte
	sec  []string // SecurityError messages
}

func (o *sumdbOps) securityError() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return strings.Join(o.sec, "; ")
}

func (o *sumdbOps) ReadRemote(path string) ([]byte, error) {
	rc, err := o.c.Get(o.ctx, "sumdb/"+o.name+path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, int64(MaxSumdbRead)+1))
	if err == nil && len(b) > MaxSumdbRead {
		err = fmt.Errorf("checksum database %s%s: larger than %d kB; a proxy that serves this is not forwarding sum.golang.org", o.name, path, MaxSumdbRead>>10)
	}
	return b, err
}

func (o *sumdbOps) ReadConfig(file string) ([]byte, error) {
	if file == "key" {
		return []byte(o.key), nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.mem["config/"+file]; ok {
		return b, nil
	}
	return []byte{}, nil
}

func (o *sumdbOps) WriteConfig(file string, old, new []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mem["config/"+file] = new
	return nil
}

func (o *sumdbOps) ReadCache(file string) ([]byte, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if b, ok := o.mem["cache/"+file]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("not cached")
}

func (o *sumdbOps) WriteCache(file string, data []byte) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.mem["cache/"+file] = data
}

func (o *sumdbOps) Log(msg string) {}

// SecurityError keeps the client's account of a misbehaving database; the
// lookup then fails with sumdb.ErrSecurity and lookupError reports both.
func (o *sumdbOps) SecurityError(msg string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sec = append(o.sec, strings.TrimSpace(msg))
}
