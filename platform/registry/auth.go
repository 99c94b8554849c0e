package registry

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

// Writes (PUT, POST, PATCH, DELETE) need the registry's token, a random
// secret kept 0600 in <dir>/token: kiln's own clients send it with HTTP
// basic auth as user "kiln". Reads stay open on loopback, so pack, crane
// or a lifecycle can pull without it.
const (
	tokenFile = "token"
	tokenUser = "kiln"
	// A client proves it reached the registry serving its dir (not another
	// process on that port) by asking for an HMAC of a fresh challenge.
	challengeHeader = "Kiln-Registry-Challenge"
	proofHeader     = "Kiln-Registry-Proof"
)

// token returns the write credential of the registry in dir, making it the
// first time (concurrent first uses agree: the file appears whole, once).
func token(dir string) (string, error) {
	p := filepath.Join(dir, tokenFile)
	if t, err := readToken(p); !errors.Is(err, fs.ErrNotExist) {
		return t, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(dir, ".token-*")
	if err != nil {
		return "", fmt.Errorf("registry token: creating it in %s: %w", dir, err)
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.Link(tmp.Name(), p); errors.Is(err, fs.ErrExist) {
			err = nil // another kiln process made it first
		}
	}
	if err != nil {
		return "", fmt.Errorf("registry token %s: %w", p, err)
	}
	return readToken(p)
}

func readToken(p string) (string, error) {
	st, err := os.Stat(p)
	if err != nil {
		return "", err
	}
	if st.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("registry token %s is readable by others (mode %v): chmod 600 it, or delete it to make a new one", p, st.Mode().Perm())
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return "", err
	}
	t := strings.TrimSpace(string(b))
	if len(t) < 32 {
		return "", fmt.Errorf("registry token %s is too short: delete it to make a new one", p)
	}
	return t, nil
}

// Auth is the write credential of the registry stored in dir
// (home.Registry()), for go-containerregistry clients:
// remote.Write(ref, img, remote.WithAuth(auth)).
func Auth(dir string) (authn.Authenticator, error) {
	t, err := token(dir)
	if err != nil {
		return nil, err
	}
	return &authn.Basic{Username: tokenUser, Password: t}, nil
}

// CNBRegistryAuth is the CNB_REGISTRY_AUTH value a lifecycle needs to push
// to the registry of dir at addr.
func CNBRegistryAuth(dir, addr string) (string, error) {
	t, err := token(dir)
	if err != nil {
		return "", err
	}
	b, err := json.Marshal(map[string]string{addr: "Basic " + basic(t)})
	return string(b), err
}

// WriteDockerConfig writes configDir/config.json (0600) holding the
// credential for addr: point DOCKER_CONFIG at configDir for pack.
func WriteDockerConfig(dir, addr, configDir string) error {
	t, err := token(dir)
	if err != nil {
		return err
	}
	b, err := json.Marshal(map[string]any{"auths": map[string]any{addr: map[string]string{"auth": basic(t)}}})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(configDir, 0o700); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(configDir, "config.json"), b, 0o600)
}

func basic(t string) string { return base64.StdEncoding.EncodeToString([]byte(tokenUser + ":" + t)) }

// authorized reports whether r carries the token (basic or bearer).
func authorized(r *http.Request, token string) bool {
	got := ""
	if u, p, ok := r.BasicAuth(); ok && u == tokenUser {
		got = p
	} else if b, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
		got = b
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(token)) == 1
}

// proof answers a client's challenge with the token it shares with us.
func proof(token, challenge string) string {
	m := hmac.New(sha256.New, []byte(token))
	m.Write([]byte("kiln-registry-identity\n" + challenge))
	return hex.EncodeToString(m.Sum(nil))
}

// Keychain answers the write credential for the registry of dir at addr and
// defers every other registry to fallback (authn.DefaultKeychain: Docker
// config, credential helpers), so one writer can push to either.
func Keychain(dir, addr string, fallback authn.Keychain) authn.Keychain {
	return keychain{dir: dir, addr: addr, fallback: fallback}
}

type keychain struct {
	dir, addr string
	fallback  authn.Keychain
}

func (k keychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == k.addr {
		return Auth(k.dir)
	}
	return k.fallback.Resolve(r)
}

// ImageAuth is CNBRegistryAuth when image is in the registry of dir at addr,
// else "" (the lifecycle then uses its own keychain).
func ImageAuth(dir, addr, image string) (string, error) {
	if !strings.HasPrefix(image, addr+"/") {
		return "", nil
	}
	return CNBRegistryAuth(dir, addr)
}
